"""Shortlist or dismiss a need's candidates; the decisions double as ranker feedback."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.accounts.models import User
from matchmaker.db import utcnow
from matchmaker.errors import FieldError, Forbidden, ValidationFailed
from matchmaker.fields import Decision, DismissReason
from matchmaker.needs import service as needs
from matchmaker.policy import Actor
from matchmaker.profiles import service as profiles
from matchmaker.shortlists.models import CandidateDecision

MAX_NOTE = 1000


def decide(
    db: Session,
    *,
    actor: Actor,
    need_id: str,
    profile_id: str,
    decision: Decision,
    reason: DismissReason | None = None,
    note: str | None = None,
    score: float | None = None,
) -> CandidateDecision:
    """Record the firm's latest decision on a candidate; a later decision replaces it."""
    need = needs.get(db, actor=actor, need_id=need_id)
    if not policy.can_edit_need(actor, need):
        raise Forbidden("only members of the posting enterprise decide on its candidates")
    profiles.get(db, actor=actor, profile_id=profile_id)
    if decision is Decision.DISMISSED and reason is None:
        raise ValidationFailed(
            "say why the candidate is dismissed",
            errors=[FieldError("reason", "choose a reason")],
        )
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationFailed(
            f"the note is longer than {MAX_NOTE} characters",
            errors=[FieldError("note", f"at most {MAX_NOTE} characters")],
        )
    row = db.get(CandidateDecision, (need.id, profile_id))
    if row is None:
        row = CandidateDecision(need_id=need.id, profile_id=profile_id)
        db.add(row)
    row.decision = decision
    row.dismiss_reason = reason if decision is Decision.DISMISSED else None
    row.note = (note or "").strip() or None
    row.score = score
    row.decided_by = actor.id if isinstance(actor, User) else None
    row.decided_at = utcnow()
    db.commit()
    return row


def undo(db: Session, *, actor: Actor, need_id: str, profile_id: str) -> None:
    need = needs.get(db, actor=actor, need_id=need_id)
    if not policy.can_edit_need(actor, need):
        raise Forbidden("only members of the posting enterprise decide on its candidates")
    row = db.get(CandidateDecision, (need.id, profile_id))
    if row is not None:
        db.delete(row)
        db.commit()


def for_need(db: Session, need_id: str) -> dict[str, CandidateDecision]:
    """Decisions of one need by profile id; callers have already checked access."""
    rows = db.scalars(select(CandidateDecision).where(CandidateDecision.need_id == need_id))
    return {row.profile_id: row for row in rows}


@dataclass(frozen=True)
class Feedback:
    need_id: str
    profile_id: str
    grade: int
    reason: str
    score: float | None


def feedback(db: Session) -> list[Feedback]:
    """Decisions as graded labels (shortlisted 1, dismissed 0) for retraining the ranker."""
    rows = db.scalars(
        select(CandidateDecision).order_by(CandidateDecision.need_id, CandidateDecision.profile_id)
    )
    return [
        Feedback(
            need_id=row.need_id,
            profile_id=row.profile_id,
            grade=1 if row.decision is Decision.SHORTLISTED else 0,
            reason=row.dismiss_reason.value if row.dismiss_reason else "",
            score=row.score,
        )
        for row in rows
    ]
