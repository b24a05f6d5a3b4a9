"""Event use cases: create and publish, invite needs and SMEs, answer, apply and approve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.db import utcnow
from matchmaker.errors import FieldError, Forbidden, InvalidState, NotFound, ValidationFailed
from matchmaker.events.models import Event, EventNeed, EventSME
from matchmaker.events.schemas import EventData
from matchmaker.fields import EventStatus, NeedStatus, Participation, ProfileStatus, Role
from matchmaker.ids import new_id
from matchmaker.needs.models import Need
from matchmaker.notifications import service as notifications
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile

ANSWERABLE = (Participation.INVITED,)


def get(db: Session, *, actor: Actor, event_id: str) -> Event:
    """Drafts are the organiser's; published events are visible to every logged-in user."""
    event = db.get(Event, event_id)
    if event is None or actor is None:
        raise NotFound(f"event {event_id!r} does not exist")
    if event.status is EventStatus.DRAFT and not policy.can_manage_event(actor, event):
        raise NotFound(f"event {event_id!r} does not exist")
    return event


def managed(db: Session, *, actor: Actor, event_id: str, system: bool = False) -> Event:
    """The event if the actor runs it; `system` is the command line, acting for everyone."""
    if system:
        found = db.get(Event, event_id)
        if found is None:
            raise NotFound(f"event {event_id!r} does not exist")
        return found
    event = get(db, actor=actor, event_id=event_id)
    if not policy.can_manage_event(actor, event):
        raise Forbidden("only the event's organiser and admins manage it")
    return event


def list_events(db: Session, *, actor: Actor) -> list[Event]:
    statement = select(Event).order_by(Event.starts_at.desc())
    if not policy.is_admin(actor):
        own = Event.organiser_id == (actor.id if actor is not None else "")
        statement = statement.where((Event.status != EventStatus.DRAFT) | own)
    return list(db.scalars(statement))


def create(db: Session, *, actor: Actor, data: EventData) -> Event:
    if not policy.can_create_event(actor):
        raise Forbidden("only organisers and admins create events")
    event = Event(
        id=new_id("event"),
        organiser_id=actor.id if actor is not None else None,
        status=EventStatus.DRAFT,
        **data.model_dump(),
    )
    event.description = data.description or ""
    db.add(event)
    db.commit()
    return event


def update(db: Session, *, actor: Actor, event_id: str, data: EventData) -> Event:
    event = managed(db, actor=actor, event_id=event_id)
    if event.status is EventStatus.FINISHED:
        raise InvalidState("this event has finished; it can no longer be edited")
    for field, value in data.model_dump().items():
        setattr(event, field, value)
    event.description = data.description or ""
    db.commit()
    return event


def set_status(db: Session, *, actor: Actor, event_id: str, status: EventStatus) -> Event:
    event = managed(db, actor=actor, event_id=event_id)
    allowed = {
        EventStatus.DRAFT: {EventStatus.PUBLISHED},
        EventStatus.PUBLISHED: {EventStatus.FINISHED, EventStatus.DRAFT},
        EventStatus.FINISHED: {EventStatus.PUBLISHED},
    }
    if status not in allowed[event.status]:
        raise InvalidState(f"an event that is {event.status} cannot become {status}")
    event.status = status
    db.commit()
    return event


# Invitations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Invited:
    needs: int
    smes: int
    skipped: int  # already taking part or invited


def invite(
    db: Session,
    *,
    actor: Actor,
    event_id: str,
    need_ids: Sequence[str] = (),
    profile_ids: Sequence[str] = (),
) -> Invited:
    """Invite open needs and published SME profiles; all or nothing if any id is wrong."""
    event = managed(db, actor=actor, event_id=event_id)
    needs = _open_needs(db, need_ids)
    profiles = _published_profiles(db, profile_ids)
    have_needs = set(db.scalars(select(EventNeed.need_id).where(EventNeed.event_id == event.id)))
    have_smes = set(db.scalars(select(EventSME.enterprise_id).where(EventSME.event_id == event.id)))
    added_needs = added_smes = skipped = 0
    for need in needs:
        if need.id in have_needs:
            skipped += 1
            continue
        have_needs.add(need.id)
        db.add(EventNeed(event_id=event.id, need_id=need.id, status=Participation.INVITED))
        notifications.notify_enterprise(
            db, need.enterprise_id, "event_invitation", f"/events/{event.id}",
            event_title=event.title, subject=need.title,
        )  # fmt: skip
        added_needs += 1
    for profile in profiles:
        if profile.enterprise_id in have_smes:
            skipped += 1
            continue
        have_smes.add(profile.enterprise_id)
        db.add(
            EventSME(
                event_id=event.id,
                enterprise_id=profile.enterprise_id,
                profile_id=profile.id,
                status=Participation.INVITED,
            )
        )
        notifications.notify_enterprise(
            db, profile.enterprise_id, "event_invitation", f"/events/{event.id}",
            event_title=event.title, subject=profile.title,
        )  # fmt: skip
        added_smes += 1
    db.commit()
    return Invited(added_needs, added_smes, skipped)


def _open_needs(db: Session, ids: Iterable[str]) -> list[Need]:
    wanted = list(dict.fromkeys(ids))
    found = {n.id: n for n in db.scalars(select(Need).where(Need.id.in_(wanted)))}
    errors = [
        FieldError("need_ids", f"need {i!r} does not exist")
        if i not in found
        else FieldError("need_ids", f"need {i!r} is {found[i].status}, not open")
        for i in wanted
        if i not in found or found[i].status is not NeedStatus.OPEN
    ]
    if errors:
        raise ValidationFailed("; ".join(e.message for e in errors), errors=errors)
    return [found[i] for i in wanted]


def _published_profiles(db: Session, ids: Iterable[str]) -> list[CapabilityProfile]:
    wanted = list(dict.fromkeys(ids))
    statement = select(CapabilityProfile).where(CapabilityProfile.id.in_(wanted))
    found = {p.id: p for p in db.scalars(statement)}
    errors = [
        FieldError("profile_ids", f"profile {i!r} does not exist or is not published")
        for i in wanted
        if i not in found or found[i].status is not ProfileStatus.PUBLISHED
    ]
    if errors:
        raise ValidationFailed("; ".join(e.message for e in errors), errors=errors)
    return [found[i] for i in wanted]


# Answers from participants ---------------------------------------------------------------
def respond_need(
    db: Session, *, actor: Actor, event_id: str, need_id: str, accept: bool
) -> EventNeed:
    event = get(db, actor=actor, event_id=event_id)
    row = db.get(EventNeed, (event.id, need_id))
    need = db.get(Need, need_id)
    if row is None or need is None:
        raise NotFound(f"need {need_id!r} is not invited to this event")
    if not policy.can_edit_need(actor, need):
        raise Forbidden("only the need's firm answers its invitation")
    return _answer(db, row, accept)


def respond_sme(db: Session, *, actor: Actor, event_id: str, accept: bool) -> EventSME:
    event = get(db, actor=actor, event_id=event_id)
    enterprise_id = actor.enterprise_id if actor is not None else None
    row = db.get(EventSME, (event.id, enterprise_id)) if enterprise_id else None
    if row is None or actor is None or actor.role is not Role.SME:
        raise NotFound("your enterprise is not invited to this event")
    return _answer(db, row, accept)


Row = TypeVar("Row", EventNeed, EventSME)


def _answer(db: Session, row: Row, accept: bool) -> Row:
    if row.status not in ANSWERABLE:
        raise InvalidState(f"this invitation is already {row.status}")
    row.status = Participation.ACCEPTED if accept else Participation.DECLINED
    row.responded_at = utcnow()
    db.commit()
    return row


def apply(
    db: Session, *, actor: Actor, event_id: str, profile_id: str, message: str | None = None
) -> EventSME:
    """An SME asks to take part with one of its published profiles."""
    event = get(db, actor=actor, event_id=event_id)
    if actor is None or actor.role is not Role.SME or actor.enterprise_id is None:
        raise Forbidden("SMEs apply to events with one of their profiles")
    if event.status is not EventStatus.PUBLISHED:
        raise InvalidState("this event does not take applications")
    if event.registration_deadline and event.registration_deadline < dt.date.today():
        raise InvalidState(f"registration closed on {event.registration_deadline.isoformat()}")
    profile = db.get(CapabilityProfile, profile_id)
    if profile is None or profile.enterprise_id != actor.enterprise_id:
        raise ValidationFailed(
            "choose one of your own published profiles",
            errors=[FieldError("profile_id", "is not one of your profiles")],
        )
    if db.get(EventSME, (event.id, actor.enterprise_id)) is not None:
        raise InvalidState("your enterprise is already invited to or registered for this event")
    row = EventSME(
        event_id=event.id,
        enterprise_id=actor.enterprise_id,
        profile_id=profile.id,
        status=Participation.APPLIED,
        message=(message or "").strip()[:2000] or None,
    )
    db.add(row)
    if event.organiser_id:
        notifications.notify_users(
            db, [event.organiser_id], "event_application", f"/events/{event.id}/participants",
            event_title=event.title, subject=profile.title,
        )  # fmt: skip
    db.commit()
    return row


def review(
    db: Session, *, actor: Actor, event_id: str, enterprise_id: str, approve: bool
) -> EventSME:
    event = managed(db, actor=actor, event_id=event_id)
    row = db.get(EventSME, (event.id, enterprise_id))
    if row is None or row.status is not Participation.APPLIED:
        raise NotFound(f"no pending application from {enterprise_id!r}")
    if approve and event.capacity is not None and _accepted_smes(db, event.id) >= event.capacity:
        raise InvalidState(f"the event is full ({event.capacity} SMEs)")
    row.status = Participation.ACCEPTED if approve else Participation.REJECTED
    row.responded_at = utcnow()
    kind = "event_approved" if approve else "event_rejected"
    notifications.notify_enterprise(
        db, enterprise_id, kind, f"/events/{event.id}", event_title=event.title
    )
    db.commit()
    return row


def _accepted_smes(db: Session, event_id: str) -> int:
    rows = db.scalars(
        select(EventSME.enterprise_id).where(
            EventSME.event_id == event_id, EventSME.status == Participation.ACCEPTED
        )
    )
    return len(list(rows))


def set_unavailable(
    db: Session, *, actor: Actor, event_id: str, slots: Sequence[int], need_id: str | None = None
) -> None:
    """Record the rounds a participant cannot attend: an SME for itself, a firm per need."""
    event = get(db, actor=actor, event_id=event_id)
    wanted = sorted({slot for slot in slots if 0 <= slot < event.slots})
    row: EventNeed | EventSME | None
    if need_id is not None:
        need = db.get(Need, need_id)
        row = db.get(EventNeed, (event.id, need_id))
        if row is None or need is None or not policy.can_edit_need(actor, need):
            raise NotFound(f"need {need_id!r} of yours is not taking part in this event")
    else:
        enterprise_id = actor.enterprise_id if actor is not None else None
        row = db.get(EventSME, (event.id, enterprise_id)) if enterprise_id else None
        if row is None:
            raise NotFound("your enterprise is not taking part in this event")
    row.unavailable = wanted
    db.commit()
