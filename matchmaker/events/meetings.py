"""Meeting requests at an event: ask, propose, accept, decline, cancel.

- A firm member asks an accepted SME of the event to meet about one of the firm's accepted
  event needs; an SME member asks about an accepted need. The other side accepts or declines.
  Asking a pair that already asked you accepts their request.
- The organiser proposes shortlisted pairs (`ShortlistEntry`, not removed). A proposal is
  `requested` by `Side.ORGANISER` and waits for both sides: the first side to accept turns it
  into a request of its own (`requested_by` becomes that side), so it then waits for the
  other side exactly like a request; either side declining ends it.
- Asking and accepting are each side's consent to meet, so contacts show once agreed.
- An SME holds at most its capacity (`EventSME.capacity`, else `Event.sme_capacity`) of
  agreed meetings; requests beyond it are refused.
- Cancelling: the requesting side while it waits, either side once agreed, and the organiser
  at any time before the meeting is held. A cancelled meeting leaves the schedule.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.db import utcnow
from matchmaker.enterprises import service as enterprises
from matchmaker.errors import Conflict, FieldError, Forbidden, InvalidState, ValidationFailed
from matchmaker.events.meeting_views import ACTIVE, AGREED, MeetingView, get_event, get_view
from matchmaker.events.models import Event, EventNeed, EventSME, Meeting, ShortlistEntry
from matchmaker.fields import EventStatus, MeetingStatus, Participation, Side
from matchmaker.ids import new_id
from matchmaker.needs.models import Need
from matchmaker.notifications import service as notifications
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile

MAX_MESSAGE = 2000


def request(
    db: Session, *, actor: Actor, event_id: str, need_id: str, profile_id: str, message: str = ""
) -> Meeting:
    """One side asks the other to meet at the event."""
    event = _open_event(db, actor, event_id)
    need, profile = _pair(db, event, need_id, profile_id)
    if policy.can_request_meeting_for(actor, need.enterprise_id):
        side = Side.FIRM
    elif policy.can_request_meeting_for(actor, profile.enterprise_id):
        side = Side.SME
    else:
        raise Forbidden("only members of the need's firm or of the SME may ask for this meeting")
    found = _existing(db, event.id, need.id, profile.id)
    if found is not None and found.status is MeetingStatus.REQUESTED:
        view = get_view(db, actor=actor, meeting_id=found.id)
        if _own(actor, view) in view.awaiting:
            return accept(db, actor=actor, meeting_id=found.id)
    if found is not None:
        raise Conflict(f"a meeting for this pair already exists ({found.status})")
    _check_capacity(db, event, profile.enterprise_id)
    meeting = _create(db, event, need, profile, side, _clean(message))
    own, other = (
        (need.enterprise_id, profile.enterprise_id)
        if side is Side.FIRM
        else (profile.enterprise_id, need.enterprise_id)
    )
    enterprises.record_consent(db, own, other)
    _notify(db, [other], "meeting_requested", event, need, profile)
    db.commit()
    return meeting


def propose(
    db: Session, *, actor: Actor, event_id: str, need_id: str, profile_id: str, message: str = ""
) -> Meeting:
    """The organiser proposes one shortlisted pair; both sides are asked to accept."""
    event = _open_event(db, actor, event_id)
    if not policy.can_run_meetings(actor, event):
        raise Forbidden("only the event's organiser and admins propose meetings")
    entry = db.get(ShortlistEntry, (event.id, need_id, profile_id))
    if entry is None or entry.removed:
        raise InvalidState("only pairs on the event's shortlist can be proposed")
    need, profile = _pair(db, event, need_id, profile_id)
    if _existing(db, event.id, need.id, profile.id) is not None:
        raise Conflict("a meeting for this pair already exists")
    meeting = _create(db, event, need, profile, Side.ORGANISER, _clean(message))
    sides = [need.enterprise_id, profile.enterprise_id]
    _notify(db, sides, "meeting_proposed", event, need, profile)
    db.commit()
    return meeting


def propose_shortlisted(db: Session, *, actor: Actor, event_id: str) -> list[Meeting]:
    """Propose every shortlisted pair that has no meeting yet and whose sides take part."""
    event = _open_event(db, actor, event_id)
    if not policy.can_run_meetings(actor, event):
        raise Forbidden("only the event's organiser and admins propose meetings")
    entries = db.scalars(
        select(ShortlistEntry)
        .where(ShortlistEntry.event_id == event.id, ShortlistEntry.removed.is_(False))
        .order_by(ShortlistEntry.need_id, ShortlistEntry.rank, ShortlistEntry.profile_id)
    ).all()
    created = []
    for entry in entries:
        try:
            need, profile = _pair(db, event, entry.need_id, entry.profile_id)
        except InvalidState:
            continue  # a side no longer takes part
        if _existing(db, event.id, need.id, profile.id) is None:
            created.append(_create(db, event, need, profile, Side.ORGANISER, None))
            _notify(
                db, [need.enterprise_id, profile.enterprise_id], "meeting_proposed",
                event, need, profile,
            )  # fmt: skip
    db.commit()
    return created


def accept(db: Session, *, actor: Actor, meeting_id: str) -> Meeting:
    view = get_view(db, actor=actor, meeting_id=meeting_id)
    event = _open_event(db, actor, view.meeting.event_id)
    own = _answering_side(actor, view)
    meeting = view.meeting
    other = view.counterpart(own).id
    enterprises.record_consent(db, own, other)
    if meeting.requested_by is Side.ORGANISER:
        meeting.requested_by = view.side_of(own) or meeting.requested_by
    else:
        _check_capacity(db, event, view.sme.id)
        meeting.status = MeetingStatus.ACCEPTED
        meeting.responded_at = utcnow()
        _notify(db, [other], "meeting_accepted", event, view.need, view.profile)
    db.commit()
    return meeting


def decline(db: Session, *, actor: Actor, meeting_id: str, reason: str = "") -> Meeting:
    view = get_view(db, actor=actor, meeting_id=meeting_id)
    event = get_event(db, actor=actor, event_id=view.meeting.event_id)
    own = _answering_side(actor, view)
    meeting = view.meeting
    meeting.status = MeetingStatus.DECLINED
    meeting.responded_at = utcnow()
    others = [view.counterpart(own).id]
    _notify(
        db, others, "meeting_declined", event, view.need, view.profile,
        organiser=meeting.requested_by is Side.ORGANISER, reason=_clean(reason) or "",
    )  # fmt: skip
    db.commit()
    return meeting


def cancel(db: Session, *, actor: Actor, meeting_id: str) -> Meeting:
    view = get_view(db, actor=actor, meeting_id=meeting_id)
    event = get_event(db, actor=actor, event_id=view.meeting.event_id)
    meeting = view.meeting
    if meeting.status not in (MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED):
        raise InvalidState(f"this meeting is {meeting.status}; it can no longer be cancelled")
    organiser = policy.can_run_meetings(actor, event)
    own = _own(actor, view)
    waiting = meeting.status is MeetingStatus.REQUESTED
    if not organiser and (own is None or (waiting and own != view.requester)):
        raise Forbidden("only the requesting side or the organiser may withdraw a request")
    meeting.status = MeetingStatus.CANCELLED
    meeting.slot = meeting.table = None
    meeting.unplaced_reason = None
    others = [e for e in (view.firm.id, view.sme.id) if e != own]
    _notify(db, others, "meeting_cancelled", event, view.need, view.profile)
    db.commit()
    return meeting


def _open_event(db: Session, actor: Actor, event_id: str) -> Event:
    event = get_event(db, actor=actor, event_id=event_id)
    if event.status is not EventStatus.PUBLISHED:
        raise InvalidState(f"this event is {event.status}; meetings are arranged while published")
    return event


def _pair(
    db: Session, event: Event, need_id: str, profile_id: str
) -> tuple[Need, CapabilityProfile]:
    """The need and profile, each taking part in the event with an accepted status."""
    row = db.get(EventNeed, (event.id, need_id))
    need = db.get(Need, need_id)
    if row is None or need is None or row.status is not Participation.ACCEPTED:
        raise _invalid("need_id", "this need does not take part in the event")
    sme = db.scalar(
        select(EventSME).where(
            EventSME.event_id == event.id,
            EventSME.profile_id == profile_id,
            EventSME.status == Participation.ACCEPTED,
        )
    )
    profile = db.get(CapabilityProfile, profile_id)
    if sme is None or profile is None:
        raise _invalid("profile_id", "this SME does not take part in the event")
    return need, profile


def _invalid(name: str, message: str) -> InvalidState:
    return InvalidState(message, errors=[FieldError(name, message)])


def _existing(db: Session, event_id: str, need_id: str, profile_id: str) -> Meeting | None:
    """The pair's live or declined meeting; a cancelled one does not stop a new request."""
    return db.scalar(
        select(Meeting).where(
            Meeting.event_id == event_id,
            Meeting.need_id == need_id,
            Meeting.profile_id == profile_id,
            Meeting.status.in_([*ACTIVE, MeetingStatus.DECLINED]),
        )
    )


def _check_capacity(db: Session, event: Event, sme_id: str) -> None:
    row = db.get(EventSME, (event.id, sme_id))
    capacity = row.capacity if row is not None and row.capacity is not None else event.sme_capacity
    agreed = db.scalar(
        select(func.count())
        .select_from(Meeting)
        .join(CapabilityProfile, CapabilityProfile.id == Meeting.profile_id)
        .where(
            Meeting.event_id == event.id,
            CapabilityProfile.enterprise_id == sme_id,
            Meeting.status.in_(AGREED),
        )
    )
    if (agreed or 0) >= capacity:
        raise InvalidState(f"this SME already has its {capacity} meetings at the event")


def _own(actor: Actor, view: MeetingView) -> str | None:
    """The actor's enterprise when it is one of the meeting's two sides."""
    for enterprise_id in (view.firm.id, view.sme.id):
        if policy.can_request_meeting_for(actor, enterprise_id):
            return enterprise_id
    return None


def _answering_side(actor: Actor, view: MeetingView) -> str:
    if view.meeting.status is not MeetingStatus.REQUESTED:
        raise InvalidState(f"this meeting is already {view.meeting.status}")
    own = _own(actor, view)
    if own is None or own not in view.awaiting:
        raise Forbidden("only the side that was asked may answer this meeting request")
    return own


def _clean(message: str) -> str | None:
    text = message.strip()
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed(
            f"at most {MAX_MESSAGE} characters",
            errors=[FieldError("message", f"at most {MAX_MESSAGE} characters")],
        )
    return text or None


def _create(
    db: Session,
    event: Event,
    need: Need,
    profile: CapabilityProfile,
    side: Side,
    message: str | None,
) -> Meeting:
    meeting = Meeting(
        id=new_id("meet"),
        event_id=event.id,
        need_id=need.id,
        profile_id=profile.id,
        requested_by=side,
        status=MeetingStatus.REQUESTED,
        message=message,
    )
    db.add(meeting)
    db.flush()
    return meeting


def _notify(
    db: Session,
    enterprise_ids: list[str],
    kind: str,
    event: Event,
    need: Need,
    profile: CapabilityProfile,
    *,
    organiser: bool = False,
    reason: str = "",
) -> None:
    """Tell the given sides (and, for proposals, the organiser) in their own inbox."""
    params = {"event_title": event.title, "need_title": need.title, "profile_title": profile.title}
    if reason:
        params["reason"] = reason
    link = f"/events/{event.id}/meetings"
    for enterprise_id in enterprise_ids:
        notifications.notify_enterprise(db, enterprise_id, kind, link, **params)
    if organiser and event.organiser_id is not None:
        notifications.notify_users(db, [event.organiser_id], kind, link, **params)
