"""Who takes part in an event, as its pages show them (public parts only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.enterprises.models import Enterprise
from matchmaker.events.models import Event, EventNeed, EventSME
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile


@dataclass(frozen=True)
class NeedTaking:
    row: EventNeed
    need: Need
    firm: Enterprise


@dataclass(frozen=True)
class SMETaking:
    row: EventSME
    enterprise: Enterprise
    profile: CapabilityProfile | None


def needs_of(db: Session, event: Event) -> list[NeedTaking]:
    rows = db.execute(
        select(EventNeed, Need, Enterprise)
        .join(Need, Need.id == EventNeed.need_id)
        .join(Enterprise, Enterprise.id == Need.enterprise_id)
        .where(EventNeed.event_id == event.id)
        .order_by(Enterprise.name, Need.title)
    ).all()
    return [NeedTaking(row, need, firm) for row, need, firm in rows]


def smes_of(db: Session, event: Event) -> list[SMETaking]:
    rows = db.execute(
        select(EventSME, Enterprise, CapabilityProfile)
        .join(Enterprise, Enterprise.id == EventSME.enterprise_id)
        .outerjoin(CapabilityProfile, CapabilityProfile.id == EventSME.profile_id)
        .where(EventSME.event_id == event.id)
        .order_by(Enterprise.name)
    ).all()
    return [SMETaking(row, enterprise, profile) for row, enterprise, profile in rows]


def slot_times(event: Event) -> list[tuple[dt.datetime, dt.datetime]]:
    """Start and end of every meeting round of the day."""
    step = dt.timedelta(minutes=event.slot_minutes)
    return [
        (event.starts_at + i * step, event.starts_at + (i + 1) * step) for i in range(event.slots)
    ]
