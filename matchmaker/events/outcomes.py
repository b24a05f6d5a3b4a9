"""After the event: held meetings, each side's rating and outcome, and the outcome funnel.

A meeting counts as held once the organiser marks it so or either side reports a rating or
an outcome. The funnel is cumulative: requested ⊇ accepted ⊇ held ⊇ follow-up ⊇
in preparation ⊇ signed. A meeting's outcome is the further of the two sides' reports
(one side's word is enough), so a meeting one side marks signed counts in every later stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.db import utcnow
from matchmaker.errors import FieldError, Forbidden, InvalidState, ValidationFailed
from matchmaker.events.meeting_views import AGREED, get_event, get_view
from matchmaker.events.models import Event, Meeting
from matchmaker.fields import MeetingOutcome, MeetingStatus
from matchmaker.policy import Actor

STAGES = (
    MeetingOutcome.NO_FIT,
    MeetingOutcome.FOLLOW_UP,
    MeetingOutcome.IN_PREPARATION,
    MeetingOutcome.SIGNED,
)


@dataclass(frozen=True)
class Funnel:
    requested: int = 0
    accepted: int = 0
    held: int = 0
    follow_up: int = 0
    in_preparation: int = 0
    signed: int = 0


@dataclass(frozen=True)
class EventFunnel:
    total: Funnel
    by_need: dict[str, Funnel]  # need id -> its funnel, for every need with a meeting


def record(
    db: Session,
    *,
    actor: Actor,
    meeting_id: str,
    rating: int | None,
    outcome: MeetingOutcome | None,
    now: datetime | None = None,
) -> Meeting:
    """One side rates the meeting (1–5) and says how it went; this also marks it held."""
    view = get_view(db, actor=actor, meeting_id=meeting_id)
    event = get_event(db, actor=actor, event_id=view.meeting.event_id)
    meeting = view.meeting
    _check_after_start(event, meeting, now)
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationFailed("rate from 1 to 5", errors=[FieldError("rating", "from 1 to 5")])
    if rating is None and outcome is None:
        raise ValidationFailed("give a rating, an outcome or both")
    if policy.can_request_meeting_for(actor, view.firm.id):
        meeting.firm_rating = rating if rating is not None else meeting.firm_rating
        meeting.firm_outcome = outcome or meeting.firm_outcome
    elif policy.can_request_meeting_for(actor, view.sme.id):
        meeting.sme_rating = rating if rating is not None else meeting.sme_rating
        meeting.sme_outcome = outcome or meeting.sme_outcome
    else:
        raise Forbidden("only the two sides of a meeting rate it")
    meeting.status = MeetingStatus.HELD
    db.commit()
    return meeting


def mark_held(
    db: Session, *, actor: Actor, meeting_id: str, held: bool = True, now: datetime | None = None
) -> Meeting:
    """The organiser records that a meeting took place (or undoes that before any report)."""
    view = get_view(db, actor=actor, meeting_id=meeting_id)
    event = get_event(db, actor=actor, event_id=view.meeting.event_id)
    if not policy.can_run_meetings(actor, event):
        raise Forbidden("only the event's organiser and admins mark meetings held")
    meeting = view.meeting
    _check_after_start(event, meeting, now)
    if not held and (meeting.firm_outcome or meeting.sme_outcome or meeting.firm_rating
                     or meeting.sme_rating):  # fmt: skip
        raise InvalidState("the sides have already reported on this meeting")
    meeting.status = MeetingStatus.HELD if held else MeetingStatus.ACCEPTED
    db.commit()
    return meeting


def _check_after_start(event: Event, meeting: Meeting, now: datetime | None) -> None:
    if meeting.status not in AGREED:
        raise InvalidState(f"this meeting is {meeting.status}; only agreed meetings take place")
    if (now or utcnow()) < event.starts_at:
        raise InvalidState("the event has not started yet")


def outcome_of(meeting: Meeting) -> MeetingOutcome | None:
    """The further of the two sides' reported outcomes."""
    reported = [o for o in (meeting.firm_outcome, meeting.sme_outcome) if o is not None]
    return max(reported, key=STAGES.index) if reported else None


def funnel_of(meetings: Iterable[Meeting]) -> Funnel:
    """Count each stage; pure, so dashboards can feed it any selection of meetings."""
    counts = dict.fromkeys(Funnel.__dataclass_fields__, 0)
    for meeting in meetings:
        counts["requested"] += 1
        agreed = meeting.status in AGREED or (
            meeting.status is MeetingStatus.CANCELLED and meeting.responded_at is not None
        )
        counts["accepted"] += agreed
        if meeting.status is not MeetingStatus.HELD:
            continue
        counts["held"] += 1
        outcome = outcome_of(meeting)
        stage = STAGES.index(outcome) if outcome is not None else 0
        counts["follow_up"] += stage >= 1
        counts["in_preparation"] += stage >= 2
        counts["signed"] += stage >= 3
    return Funnel(**counts)


def event_funnel(db: Session, *, actor: Actor, event_id: str) -> EventFunnel:
    """The event's funnel and one per need, for the organiser's dashboard."""
    event = get_event(db, actor=actor, event_id=event_id)
    if not policy.can_run_meetings(actor, event):
        raise Forbidden("only the event's organiser and admins see its outcome funnel")
    meetings = list(db.scalars(select(Meeting).where(Meeting.event_id == event.id)))
    by_need: dict[str, list[Meeting]] = {}
    for meeting in meetings:
        by_need.setdefault(meeting.need_id, []).append(meeting)
    return EventFunnel(
        total=funnel_of(meetings),
        by_need={need_id: funnel_of(rows) for need_id, rows in sorted(by_need.items())},
    )
