"""Exports for organisers: an event's shortlists and schedule, and its signing run-sheet.

These gather the records into the plain data of `matchmaker.exports`; the exporters turn
it into XLSX, CSV or PDF. Only the event's organiser and admins export (the CLI runs as
the system). SME contact details follow the privacy rule for whoever exports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from matchmaker.agreements.models import Agreement, AgreementSignature
from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.clock import PLATFORM_TZ
from matchmaker.db import Base
from matchmaker.enterprises import service as enterprises
from matchmaker.enterprises.models import Enterprise
from matchmaker.events import service as events
from matchmaker.events.models import Event, EventNeed, Meeting, ShortlistEntry
from matchmaker.events.scheduling import slot_window
from matchmaker.exports.base import EventHeader
from matchmaker.exports.runsheet import RunSheet, RunSheetRow, build_rows
from matchmaker.exports.shortlists import (
    Contact,
    MeetingSlot,
    NeedSection,
    ScheduleRow,
    ShortlistExport,
    ShortlistRow,
)
from matchmaker.fields import AgreementStatus, MeetingStatus, Participation
from matchmaker.matching.explain import Reason
from matchmaker.matching.ranker import band
from matchmaker.matching.wording import sentence
from matchmaker.needs.models import Need
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile

M = TypeVar("M", bound=Base)
PLACED = (MeetingStatus.ACCEPTED, MeetingStatus.HELD)
RowSource = Callable[[Session, Event], Iterable[RunSheetRow]]


event_for_export = events.managed  # the organiser's (or the CLI's) view of an event


def header(event: Event) -> EventHeader:
    return EventHeader(id=event.id, title=event.title, starts_at=event.starts_at, venue=event.venue)


def contact_for(db: Session, *, viewer: Actor, enterprise: Enterprise) -> Contact | None:
    """The enterprise's contact details if `viewer` may see them (the privacy rule)."""
    if not enterprises.contact_visible(db, actor=viewer, enterprise_id=enterprise.id):
        return None
    audit.record(db, viewer, actions.CONTACT_VIEWED, ("enterprise", enterprise.id), {"in": "xls"})
    return _contact(enterprise)


def _contact(enterprise: Enterprise) -> Contact:
    return Contact(
        name=enterprise.contact_name or "",
        phone=enterprise.contact_phone or "",
        email=enterprise.contact_email or "",
    )


def shortlists(
    db: Session, *, actor: Actor, event_id: str, system: bool = False
) -> ShortlistExport:
    """Every accepted need's shortlist (removed entries left out) and the placed meetings."""
    event = event_for_export(db, actor=actor, event_id=event_id, system=system)
    records = _Records.load(db, event)
    contacts = _Contacts(db, viewer=actor, everything=system)
    sections = tuple(
        NeedSection(
            need_id=need.id,
            title=need.title,
            firm=records.enterprises[need.enterprise_id].name,
            rows=tuple(
                _row(records, contacts, position, entry)
                for position, entry in enumerate(records.entries[need.id], start=1)
            ),
        )
        for need in records.accepted_needs
    )
    schedule = tuple(_schedule_row(records, m) for m in records.placed)
    audit.record_now(db, actor, actions.EXPORT_EVENT, ("event", event.id), {"kind": "shortlists"})
    return ShortlistExport(event=header(event), needs=sections, schedule=schedule)


def signing_rows(db: Session, event: Event) -> list[RunSheetRow]:
    """The event's agreements ready to sign (approved) or signed, in signing order: signed
    ones by signing time, then approved ones by approval time."""
    ready = (AgreementStatus.APPROVED, AgreementStatus.SIGNED)
    agreements = db.scalars(
        select(Agreement).where(Agreement.event_id == event.id, Agreement.status.in_(ready))
    ).all()
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    agreements = sorted(
        agreements, key=lambda a: (a.signed_at or far, a.approved_at or far, a.code)
    )
    signers: dict[tuple[str, str], str] = {
        (s.agreement_id, s.enterprise_id): s.signer_name
        for s in db.scalars(
            select(AgreementSignature).where(
                AgreementSignature.agreement_id.in_([a.id for a in agreements])
            )
        )
    }
    return [
        RunSheetRow(
            firm=a.firm_name,
            sme=a.sme_name,
            subject=a.subject,
            kind=AGREEMENT_KINDS.get(a.type.value, a.type.value),
            amount_wan=a.amount_wan,
            firm_signatory=signers.get((a.id, a.firm_id), ""),
            sme_signatory=signers.get((a.id, a.sme_id), ""),
            venue=event.venue or "",
            order=number,
        )
        for number, a in enumerate(agreements, start=1)
    ]


AGREEMENT_KINDS = {
    "technology": "技术合作协议",
    "supply": "供货合同",
    "investment": "投资协议",
    "incubation": "孵化服务协议",
    "service": "服务合同",
}


def run_sheet(
    db: Session,
    *,
    actor: Actor,
    event_id: str,
    system: bool = False,
    source: RowSource = signing_rows,
) -> RunSheet:
    event = event_for_export(db, actor=actor, event_id=event_id, system=system)
    audit.record_now(db, actor, actions.EXPORT_EVENT, ("event", event.id), {"kind": "runsheet"})
    return RunSheet(event=header(event), rows=build_rows(source(db, event)))


# --- gathering -------------------------------------------------------------------------------


def _by_id(db: Session, model: type[M], ids: Iterable[str]) -> dict[str, M]:
    wanted = set(ids)
    if not wanted:
        return {}
    key = inspect(model).primary_key[0]
    rows = db.scalars(select(model).where(key.in_(wanted)))
    return {getattr(row, key.name): row for row in rows}


@dataclass
class _Records:
    event: Event
    accepted_needs: list[Need]
    needs: dict[str, Need]
    entries: dict[str, list[ShortlistEntry]]
    placed: list[Meeting]  # in the order of the day: slot, then table
    meetings: dict[tuple[str, str], Meeting]  # (need_id, profile_id) -> placed meeting
    profiles: dict[str, CapabilityProfile]
    enterprises: dict[str, Enterprise]

    @classmethod
    def load(cls, db: Session, event: Event) -> _Records:
        accepted_ids = db.scalars(
            select(EventNeed.need_id)
            .where(EventNeed.event_id == event.id, EventNeed.status == Participation.ACCEPTED)
            .order_by(EventNeed.created_at, EventNeed.need_id)
        ).all()
        entries: dict[str, list[ShortlistEntry]] = defaultdict(list)
        for entry in db.scalars(
            select(ShortlistEntry)
            .where(ShortlistEntry.event_id == event.id, ShortlistEntry.removed.is_(False))
            .order_by(ShortlistEntry.rank, ShortlistEntry.score.desc(), ShortlistEntry.profile_id)
        ):
            entries[entry.need_id].append(entry)
        placed = db.scalars(
            select(Meeting)
            .where(
                Meeting.event_id == event.id,
                Meeting.status.in_(PLACED),
                Meeting.slot.is_not(None),
            )
            .order_by(Meeting.slot, Meeting.table, Meeting.id)
        ).all()
        meetings = {(m.need_id, m.profile_id): m for m in placed}
        needs = _by_id(db, Need, [*accepted_ids, *(m.need_id for m in placed)])
        profile_ids = [e.profile_id for rows in entries.values() for e in rows]
        profiles = _by_id(db, CapabilityProfile, [*profile_ids, *(m.profile_id for m in placed)])
        owners = [n.enterprise_id for n in needs.values()]
        owners += [p.enterprise_id for p in profiles.values()]
        return cls(
            event=event,
            accepted_needs=[needs[need_id] for need_id in accepted_ids],
            needs=needs,
            entries=entries,
            placed=list(placed),
            meetings=meetings,
            profiles=profiles,
            enterprises=_by_id(db, Enterprise, owners),
        )


@dataclass
class _Contacts:
    """Contact visibility per enterprise, asked once each."""

    db: Session
    viewer: Actor
    everything: bool
    _seen: dict[str, Contact | None] = field(default_factory=dict)

    def of(self, enterprise: Enterprise) -> Contact | None:
        if enterprise.id not in self._seen:
            self._seen[enterprise.id] = (
                _contact(enterprise)
                if self.everything
                else contact_for(self.db, viewer=self.viewer, enterprise=enterprise)
            )
        return self._seen[enterprise.id]


def _slot(event: Event, meeting: Meeting) -> MeetingSlot:
    """Slots and tables count from 0 in the database and from 1 on paper."""
    slot, table = meeting.slot or 0, meeting.table or 0
    start, end = slot_window(event.starts_at, event.slot_minutes, slot)
    time = f"{start.astimezone(PLATFORM_TZ):%H:%M}-{end.astimezone(PLATFORM_TZ):%H:%M}"
    return MeetingSlot(round=slot + 1, table=table + 1, time=time)


def _row(
    records: _Records, contacts: _Contacts, position: int, entry: ShortlistEntry
) -> ShortlistRow:
    profile = records.profiles[entry.profile_id]
    sme = records.enterprises[profile.enterprise_id]
    meeting = records.meetings.get((entry.need_id, entry.profile_id))
    return ShortlistRow(
        rank=position,
        score=entry.score,
        band=band(round(entry.score)),
        reasons=tuple(_reason_text(reason) for reason in entry.reasons),
        profile=profile.title,
        enterprise=sme.name,
        district=sme.district or "",
        certifications=tuple(profile.certifications),
        meeting=_slot(records.event, meeting) if meeting else None,
        contact=contacts.of(sme),
    )


def _reason_text(stored: object) -> str:
    """A stored reason ({kind, items, params}) as a Chinese sentence; text stays as it is."""
    if isinstance(stored, dict):
        reason = Reason(
            kind=str(stored.get("kind", "")),
            items=tuple(stored.get("items") or ()),
            params=dict(stored.get("params") or {}),
        )
        try:
            return sentence(reason, "zh")
        except (KeyError, IndexError):  # a kind this version does not know
            return reason.kind
    return str(stored)


def _schedule_row(records: _Records, meeting: Meeting) -> ScheduleRow:
    need = records.needs[meeting.need_id]
    profile = records.profiles[meeting.profile_id]
    return ScheduleRow(
        meeting=_slot(records.event, meeting),
        need_id=need.id,
        need=need.title,
        firm=records.enterprises[need.enterprise_id].name,
        profile=profile.title,
        enterprise=records.enterprises[profile.enterprise_id].name,
    )
