"""What people did with suggested pairs, as graded labels for retraining the ranker.

Grades follow the eval set's scale: 0 not relevant, 1 relevant, 2 a deal. Evidence, from
weakest to strongest: an entry left on an event shortlist (1); the organiser's pin (1) or
removal (0); the firm's own shortlist or dismissal of a candidate (1 or 0); a meeting held
(1); a meeting that ended signed, or a signed agreement (2). Each pair takes the grade of its
strongest evidence, so what happened outweighs what anyone expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.agreements.service import signed_pairs
from matchmaker.events.models import Meeting, ShortlistEntry
from matchmaker.fields import MeetingOutcome, MeetingStatus
from matchmaker.matching.service import MatchingService
from matchmaker.shortlists.service import feedback

Key = tuple[str, str]  # (need id, profile id)
STRENGTH = {"shortlist": 1, "organiser": 2, "firm": 3, "met": 4, "signed": 5}


@dataclass(frozen=True)
class Label:
    need_id: str
    profile_id: str
    grade: int
    source: str  # a key of STRENGTH: the evidence the grade comes from


def signed_agreements(db: Session) -> Iterable[Key]:
    """(need, profile) pairs with a signed cooperation agreement: the strongest label."""
    return signed_pairs(db)


AgreementSource = Callable[[Session], Iterable[Key]]


def combine(labels: Iterable[Label]) -> list[Label]:
    """One label per pair: the strongest evidence wins, then the higher grade."""
    best: dict[Key, Label] = {}
    for label in labels:
        key = (label.need_id, label.profile_id)
        current = best.get(key)
        if current is None or _rank(label) > _rank(current):
            best[key] = label
    return [best[key] for key in sorted(best)]


def _rank(label: Label) -> tuple[int, int]:
    return (STRENGTH[label.source], label.grade)


def _evidence(db: Session, agreements: AgreementSource) -> list[Label]:
    found = []
    for entry in db.scalars(select(ShortlistEntry)):
        if entry.removed or entry.pinned:
            found.append(Label(entry.need_id, entry.profile_id, 0 if entry.removed else 1,
                               "organiser"))  # fmt: skip
        else:
            found.append(Label(entry.need_id, entry.profile_id, 1, "shortlist"))
    signed = (MeetingOutcome.SIGNED,)
    meetings = db.scalars(
        select(Meeting).where(
            or_(
                Meeting.status == MeetingStatus.HELD,
                Meeting.firm_outcome.in_(signed),
                Meeting.sme_outcome.in_(signed),
            )
        )
    )
    for meeting in meetings:
        if MeetingOutcome.SIGNED in (meeting.firm_outcome, meeting.sme_outcome):
            found.append(Label(meeting.need_id, meeting.profile_id, 2, "signed"))
        else:
            found.append(Label(meeting.need_id, meeting.profile_id, 1, "met"))
    found.extend(Label(n, p, 2, "signed") for n, p in agreements(db))
    return found


def event_labels(db: Session, *, agreements: AgreementSource = signed_agreements) -> list[Label]:
    """Labels from events alone: shortlists, meetings and agreements."""
    return combine(_evidence(db, agreements))


def training_labels(db: Session, *, agreements: AgreementSource = signed_agreements) -> list[Label]:
    """Event labels together with the firms' candidate decisions, one per pair."""
    firms = [Label(f.need_id, f.profile_id, f.grade, "firm") for f in feedback(db)]
    return combine([*_evidence(db, agreements), *firms])


def training_rows(db: Session, matching: MatchingService) -> list[tuple[dict[str, float], int]]:
    """(features, grade) of every labelled pair the engine knows, to add to a training set.

    Pairs whose need or profile the engine does not index (an unpublished profile, say) are
    left out."""
    labels = training_labels(db)
    if not labels:
        return []
    engine = matching.engine(db)
    return [
        (engine.features_for(label.need_id, label.profile_id), label.grade)
        for label in labels
        if label.need_id in engine.needs and label.profile_id in engine.profiles
    ]
