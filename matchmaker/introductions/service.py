"""Answers and invitations: who may start one, who answers it, and what acceptance unlocks.

Starting an introduction is one side's agreement to meet; accepting it is the other's.
Both are recorded as meeting consent, so contacts show exactly when both sides agreed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.accounts.models import User
from matchmaker.db import utcnow
from matchmaker.enterprises import service as enterprises
from matchmaker.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from matchmaker.fields import IntroductionOrigin, IntroductionStatus, NeedStatus, ProfileStatus
from matchmaker.ids import new_id
from matchmaker.introductions.models import Introduction
from matchmaker.needs import service as needs
from matchmaker.needs.models import Need
from matchmaker.notifications import service as notifications
from matchmaker.policy import Actor
from matchmaker.profiles import service as profiles
from matchmaker.profiles.models import CapabilityProfile

MAX_MESSAGE = 2000


@dataclass(frozen=True)
class IntroductionView:
    """An introduction with the records a page shows beside it."""

    introduction: Introduction
    need: Need
    profile: CapabilityProfile


def _clean_message(message: str) -> str:
    text = message.strip()
    if not text:
        raise _field_error("message", "write a short message to the other side")
    if len(text) > MAX_MESSAGE:
        raise _field_error("message", f"at most {MAX_MESSAGE} characters")
    return text


def _field_error(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(name, message)])


def _existing(db: Session, need_id: str, profile_id: str) -> Introduction | None:
    return db.scalar(
        select(Introduction).where(
            Introduction.need_id == need_id, Introduction.profile_id == profile_id
        )
    )


def answer(
    db: Session, *, actor: Actor, need_id: str, profile_id: str, message: str
) -> Introduction:
    """An SME answers an open need with one of its published profiles."""
    need = needs.get(db, actor=actor, need_id=need_id)
    profile = profiles.get(db, actor=actor, profile_id=profile_id)
    if not policy.can_answer_with(actor, profile):
        raise Forbidden("only members of the SME that owns this profile may answer with it")
    if need.status is not NeedStatus.OPEN:
        raise InvalidState(f"this need is {need.status}; only open needs take answers")
    if profile.status is not ProfileStatus.PUBLISHED:
        raise InvalidState("publish the profile before answering with it")
    text = _clean_message(message)
    found = _existing(db, need.id, profile.id)
    if found is not None and found.origin is IntroductionOrigin.INVITATION:
        return _respond(db, actor, found, accept=True, reason=None)
    if found is not None:
        raise Conflict("this profile has already answered this need")
    intro = _start(db, actor, need, profile, IntroductionOrigin.ANSWER, text)
    enterprises.record_consent(db, profile.enterprise_id, need.enterprise_id)
    notifications.notify_enterprise(
        db, need.enterprise_id, "answer", f"/needs/{need.id}/answers",
        need_title=need.title, profile_title=profile.title,
    )  # fmt: skip
    db.commit()
    return intro


def invite(
    db: Session, *, actor: Actor, need_id: str, profile_id: str, message: str
) -> Introduction:
    """The firm invites an SME profile to talk about one of its needs."""
    need = needs.get(db, actor=actor, need_id=need_id)
    if not policy.can_edit_need(actor, need):
        raise Forbidden("only members of the posting enterprise may invite for this need")
    if need.status is not NeedStatus.OPEN:
        raise InvalidState(f"this need is {need.status}; publish or reopen it to invite")
    profile = profiles.get(db, actor=actor, profile_id=profile_id)
    text = _clean_message(message)
    found = _existing(db, need.id, profile.id)
    if found is not None and found.origin is IntroductionOrigin.ANSWER:
        return _respond(db, actor, found, accept=True, reason=None)
    if found is not None:
        raise Conflict("this profile has already been invited for this need")
    intro = _start(db, actor, need, profile, IntroductionOrigin.INVITATION, text)
    enterprises.record_consent(db, need.enterprise_id, profile.enterprise_id)
    notifications.notify_enterprise(
        db, profile.enterprise_id, "invitation", "/my/introductions",
        need_title=need.title, profile_title=profile.title,
    )  # fmt: skip
    db.commit()
    return intro


def respond(
    db: Session, *, actor: Actor, introduction_id: str, accept: bool, reason: str | None = None
) -> Introduction:
    intro = db.get(Introduction, introduction_id)
    if intro is None:
        raise NotFound(f"introduction {introduction_id!r} does not exist")
    return _respond(db, actor, intro, accept=accept, reason=reason)


def _respond(
    db: Session, actor: Actor, intro: Introduction, *, accept: bool, reason: str | None
) -> Introduction:
    need, profile = _pair(db, intro)
    invited = intro.origin is IntroductionOrigin.INVITATION
    responder = profile.enterprise_id if invited else need.enterprise_id
    starter = need.enterprise_id if invited else profile.enterprise_id
    if not policy.is_member(actor, responder):
        raise Forbidden("only the side that received this introduction may answer it")
    if intro.status is not IntroductionStatus.PENDING:
        raise InvalidState(f"this introduction is already {intro.status}")
    intro.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    intro.decline_reason = None if accept else (reason or "").strip()[:MAX_MESSAGE] or None
    intro.responded_at = utcnow()
    if accept:
        enterprises.record_consent(db, responder, starter)
    link = f"/needs/{need.id}/answers" if invited else "/my/introductions"
    kind = "introduction_accepted" if accept else "introduction_declined"
    notifications.notify_enterprise(
        db, starter, kind, link, need_title=need.title, profile_title=profile.title,
        reason=intro.decline_reason or "",
    )  # fmt: skip
    db.commit()
    return intro


def _start(
    db: Session,
    actor: Actor,
    need: Need,
    profile: CapabilityProfile,
    origin: IntroductionOrigin,
    message: str,
) -> Introduction:
    intro = Introduction(
        id=new_id("intro"),
        need_id=need.id,
        profile_id=profile.id,
        origin=origin,
        status=IntroductionStatus.PENDING,
        message=message,
        created_by=actor.id if isinstance(actor, User) else None,
    )
    db.add(intro)
    db.flush()
    return intro


def _pair(db: Session, intro: Introduction) -> tuple[Need, CapabilityProfile]:
    need = db.get(Need, intro.need_id)
    profile = db.get(CapabilityProfile, intro.profile_id)
    if need is None or profile is None:
        raise NotFound(f"introduction {intro.id!r} refers to a deleted record")
    return need, profile


def for_need(db: Session, *, actor: Actor, need_id: str) -> list[IntroductionView]:
    """Answers and invitations of one need, for its firm, organisers and admins."""
    need = needs.get(db, actor=actor, need_id=need_id)
    if not policy.can_see_matches(actor, need):
        raise Forbidden("only the posting firm, organisers and admins see a need's answers")
    rows = db.execute(
        select(Introduction, CapabilityProfile)
        .join(CapabilityProfile, CapabilityProfile.id == Introduction.profile_id)
        .where(Introduction.need_id == need.id)
        .order_by(Introduction.created_at.desc())
    ).all()
    return [IntroductionView(intro, need, profile) for intro, profile in rows]


def for_enterprise(db: Session, *, actor: Actor, enterprise_id: str) -> list[IntroductionView]:
    """Every introduction involving the enterprise, on either side."""
    if not (policy.is_member(actor, enterprise_id) or policy.is_admin(actor)):
        raise Forbidden("only members of the enterprise see its introductions")
    rows = db.execute(
        select(Introduction, Need, CapabilityProfile)
        .join(Need, Need.id == Introduction.need_id)
        .join(CapabilityProfile, CapabilityProfile.id == Introduction.profile_id)
        .where(
            or_(
                CapabilityProfile.enterprise_id == enterprise_id,
                Need.enterprise_id == enterprise_id,
            )
        )
        .order_by(Introduction.created_at.desc())
    ).all()
    return [IntroductionView(intro, need, profile) for intro, need, profile in rows]


def unlocks_full_need(db: Session, *, actor: Actor, need: Need) -> bool:
    """Whether the actor may read a confidential need's full text.

    The firm itself, organisers and admins always may; an SME may once the firm invited
    one of its profiles or accepted one of its answers.
    """
    if not need.confidential or policy.can_see_matches(actor, need):
        return True
    if actor is None or actor.enterprise_id is None:
        return False
    granted = db.scalar(
        select(Introduction.id)
        .join(CapabilityProfile, CapabilityProfile.id == Introduction.profile_id)
        .where(
            Introduction.need_id == need.id,
            CapabilityProfile.enterprise_id == actor.enterprise_id,
            or_(
                Introduction.origin == IntroductionOrigin.INVITATION,
                Introduction.status == IntroductionStatus.ACCEPTED,
            ),
        )
        .limit(1)
    )
    return granted is not None
