"""Schedule an event's agreed meetings, and read personal agendas and the venue's table plan."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.enterprises import service as enterprises
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden, NotFound
from matchmaker.events import scheduling
from matchmaker.events.meeting_views import (
    AGREED,
    MeetingView,
    all_of,
    for_enterprise,
    get_event,
    load_event,
)
from matchmaker.events.models import Event, EventNeed, EventSME
from matchmaker.events.scheduling import Item, UnplacedReason, slot_window
from matchmaker.fields import MeetingStatus, Side
from matchmaker.needs.models import Need
from matchmaker.notifications import service as notifications
from matchmaker.policy import Actor


@dataclass(frozen=True)
class ScheduleReport:
    placed: list[MeetingView]
    unplaced: list[tuple[MeetingView, UnplacedReason]]
    moved: int  # previously placed meetings that changed cell or lost it
    optimal: bool  # proven maximum with the fewest moves


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class AgendaEntry:
    view: MeetingView
    side: Side  # the agenda owner's side in this meeting
    counterpart: Enterprise
    contact: Contact | None  # only where the privacy rule allows
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Agenda:
    event: Event
    enterprise: Enterprise
    entries: list[AgendaEntry]  # agreed and held meetings, placed ones in time order first


@dataclass(frozen=True)
class Round:
    slot: int
    start: datetime
    end: datetime
    cells: list[MeetingView | None]  # one per table


@dataclass(frozen=True)
class TablePlan:
    event: Event
    rounds: list[Round]
    unplaced: list[MeetingView]


def schedule(
    db: Session,
    *,
    actor: Actor,
    event_id: str,
    firm_unavailable: Mapping[str, Collection[int]] | None = None,
    system: bool = False,
) -> ScheduleReport:
    """Place the agreed meetings, keeping earlier placements where possible; held ones stay."""
    event = load_event(db, event_id) if system else get_event(db, actor=actor, event_id=event_id)
    if not system and not policy.can_run_meetings(actor, event):
        raise Forbidden("only the event's organiser and admins schedule its meetings")
    views = all_of(db, event.id)
    unavailable: dict[str, set[int]] = {k: set(v) for k, v in (firm_unavailable or {}).items()}
    for row in db.scalars(select(EventSME).where(EventSME.event_id == event.id)):
        unavailable.setdefault(row.enterprise_id, set()).update(row.unavailable or [])
    firm_rows = db.execute(
        select(Need.enterprise_id, EventNeed.unavailable)
        .join(EventNeed, EventNeed.need_id == Need.id)
        .where(EventNeed.event_id == event.id)
    )
    for firm_id, slots in firm_rows:
        unavailable.setdefault(firm_id, set()).update(slots or [])
    blocked: set[tuple[int, int]] = set()
    for view in views:
        held = view.meeting
        if held.status is MeetingStatus.HELD and held.slot is not None and held.table is not None:
            blocked.add((held.slot, held.table))
            unavailable.setdefault(view.firm.id, set()).add(held.slot)
            unavailable.setdefault(view.sme.id, set()).add(held.slot)
    agreed = [v for v in views if v.meeting.status is MeetingStatus.ACCEPTED]
    items = [
        Item(v.meeting.id, v.firm.id, v.sme.id, v.meeting.slot, v.meeting.table) for v in agreed
    ]
    result = scheduling.schedule(
        items, slots=event.slots, tables=event.tables, unavailable=unavailable, blocked=blocked
    )
    touched: set[str] = set()
    for view in agreed:
        meeting, placement = view.meeting, result.placements[view.meeting.id]
        if (meeting.slot, meeting.table) != (placement.slot, placement.table):
            touched |= {view.firm.id, view.sme.id}
        meeting.slot, meeting.table = placement.slot, placement.table
        meeting.unplaced_reason = placement.reason.value if placement.reason else None
    for enterprise_id in sorted(touched):
        notifications.notify_enterprise(
            db, enterprise_id, "agenda_updated", f"/events/{event.id}/agenda",
            event_title=event.title,
        )  # fmt: skip
    db.commit()
    return ScheduleReport(
        placed=[v for v in agreed if v.meeting.slot is not None],
        unplaced=[
            (v, UnplacedReason(v.meeting.unplaced_reason))
            for v in agreed
            if v.meeting.unplaced_reason is not None
        ],
        moved=len(result.moved),
        optimal=result.optimal,
    )


def agenda(db: Session, *, actor: Actor, event_id: str, enterprise_id: str | None = None) -> Agenda:
    """One participant's agreed meetings; by default the actor's own enterprise."""
    owner_id = enterprise_id or (actor.enterprise_id if actor is not None else None)
    if owner_id is None:
        raise Forbidden("agendas belong to enterprises; choose one to view")
    views = for_enterprise(db, actor=actor, event_id=event_id, enterprise_id=owner_id)
    return build_agenda(db, actor, get_event(db, actor=actor, event_id=event_id), owner_id, views)


def build_agenda(
    db: Session, actor: Actor, event: Event, owner_id: str, views: list[MeetingView]
) -> Agenda:
    """Without a permission check (the CLI); contacts follow the privacy rule for `actor`."""
    owner = db.get(Enterprise, owner_id)
    if owner is None:
        raise NotFound(f"enterprise {owner_id!r} does not exist")
    entries = []
    for view in views:
        if view.meeting.status not in AGREED:
            continue
        other = view.counterpart(owner_id)
        shown = actor is None or enterprises.contact_shown(
            db, actor=actor, enterprise_id=other.id, where={"in": "agenda", "id": event.id}
        )
        window = (
            slot_window(event.starts_at, event.slot_minutes, view.meeting.slot)
            if view.meeting.slot is not None
            else (None, None)
        )
        contact = Contact(other.contact_name, other.contact_phone, other.contact_email)
        side = Side.FIRM if view.firm.id == owner_id else Side.SME
        entries.append(AgendaEntry(view, side, other, contact if shown else None, *window))
    return Agenda(event, owner, entries)


def table_plan(db: Session, *, actor: Actor, event_id: str) -> TablePlan:
    """The venue's grid: for each round, what sits at each table."""
    event = get_event(db, actor=actor, event_id=event_id)
    if not policy.can_run_meetings(actor, event):
        raise Forbidden("only the event's organiser and admins see the table plan")
    grid: dict[tuple[int, int], MeetingView] = {}
    unplaced = []
    for view in all_of(db, event.id):
        meeting = view.meeting
        if meeting.status not in AGREED:
            continue
        if meeting.slot is not None and meeting.table is not None:
            grid[meeting.slot, meeting.table] = view
        else:
            unplaced.append(view)
    rounds = [
        Round(
            slot,
            *slot_window(event.starts_at, event.slot_minutes, slot),
            [grid.get((slot, table)) for table in range(event.tables)],
        )
        for slot in range(event.slots)
    ]
    return TablePlan(event, rounds, unplaced)
