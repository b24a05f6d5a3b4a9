"""An event's shortlists: every need's SMEs chosen together, then kept or removed by hand.

`build` scores each accepted SME's profile against each accepted need with the matching
engine and lets `allocation.allocate` pick the best whole: each need gets up to the event's
shortlist size, each SME appears no more often than its capacity. The organiser's decisions
survive every rebuild: pinned entries stay, removed ones never come back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import InvalidState, NotFound
from matchmaker.events import service as events
from matchmaker.events.allocation import Allocation, Pair, allocate
from matchmaker.events.models import Event, EventNeed, EventSME, ShortlistEntry
from matchmaker.fields import EventStatus, Participation
from matchmaker.i18n import N_
from matchmaker.matching.engine import Match
from matchmaker.matching.explain import Reason
from matchmaker.matching.ranker import band
from matchmaker.matching.service import MatchingService
from matchmaker.needs.models import Need
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile


def reasons_to_json(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    """Reasons as data, so a shortlist can be read later in either language."""
    return [{"kind": r.kind, "items": list(r.items), "params": dict(r.params)} for r in reasons]


def reasons_from_json(data: Iterable[Any]) -> list[Reason]:
    return [
        Reason(str(d["kind"]), tuple(d.get("items") or ()), dict(d.get("params") or {}))
        for d in data
    ]


@dataclass(frozen=True)
class Row:
    entry: ShortlistEntry
    profile: CapabilityProfile
    enterprise: Enterprise

    @property
    def reasons(self) -> list[Reason]:
        return reasons_from_json(self.entry.reasons)

    @property
    def band(self) -> str:
        return band(round(self.entry.score))


@dataclass(frozen=True)
class NeedShortlist:
    need: Need
    firm: Enterprise
    size: int
    rows: list[Row]  # on the shortlist, by rank
    removed: list[Row]  # taken off by the organiser, best first


@dataclass(frozen=True)
class Load:
    """How many shortlists an SME is on, against how many meetings it takes."""

    profile: CapabilityProfile
    enterprise: Enterprise
    count: int
    capacity: int


@dataclass(frozen=True)
class Overview:
    event: Event
    needs: list[NeedShortlist]
    loads: list[Load]

    @property
    def total(self) -> float:
        return sum(row.entry.score for need in self.needs for row in need.rows)

    @property
    def built(self) -> bool:
        return any(need.rows or need.removed for need in self.needs)


managed_event = events.managed  # the organiser's (or the CLI's) view of an event


def build(
    db: Session,
    matching: MatchingService,
    *,
    actor: Actor,
    event_id: str,
    system: bool = False,
) -> Overview:
    """Build (or rebuild) every shortlist of the event, keeping pinned and removed entries."""
    event = managed_event(db, actor=actor, event_id=event_id, system=system)
    if event.status is EventStatus.FINISHED:
        raise InvalidState(N_("The event is over; its shortlists stay as they were."))
    need_ids = _accepted_needs(db, event.id)
    seats = _accepted_smes(db, event.id)
    matches = _score(db, matching, need_ids, [s.profile_id for s in seats if s.profile_id])
    entries = {
        (e.need_id, e.profile_id): e
        for e in db.scalars(select(ShortlistEntry).where(ShortlistEntry.event_id == event.id))
    }
    result = allocate(
        [Pair(m.need_id, m.profile_id, m.score) for m in matches.values()],
        dict.fromkeys(need_ids, event.shortlist_size),
        {seat.enterprise_id: _capacity(event, seat) for seat in seats},
        sme_of={seat.profile_id: seat.enterprise_id for seat in seats if seat.profile_id},
        pinned={key for key, e in entries.items() if e.pinned and key in matches},
        removed={key for key, e in entries.items() if e.removed},
    )
    _store(db, event.id, result, matches, entries)
    db.commit()
    return overview(db, actor=actor, event_id=event.id, system=True)


def regenerate(
    db: Session,
    matching: MatchingService,
    *,
    actor: Actor,
    event_id: str,
    system: bool = False,
) -> Overview:
    """Recompute the shortlists after the data or the decisions changed; same as `build`."""
    return build(db, matching, actor=actor, event_id=event_id, system=system)


def _capacity(event: Event, seat: EventSME) -> int:
    return event.sme_capacity if seat.capacity is None else seat.capacity


def _accepted_needs(db: Session, event_id: str) -> list[str]:
    return list(
        db.scalars(
            select(EventNeed.need_id)
            .where(EventNeed.event_id == event_id, EventNeed.status == Participation.ACCEPTED)
            .order_by(EventNeed.need_id)
        )
    )


def _accepted_smes(db: Session, event_id: str) -> list[EventSME]:
    return list(
        db.scalars(
            select(EventSME)
            .where(
                EventSME.event_id == event_id,
                EventSME.status == Participation.ACCEPTED,
                EventSME.profile_id.is_not(None),
            )
            .order_by(EventSME.enterprise_id)
        )
    )


def _score(
    db: Session, matching: MatchingService, need_ids: list[str], profile_ids: list[str]
) -> dict[tuple[str, str], Match]:
    """Every (need, profile) pair the engine can score; unpublished profiles drop out."""
    matches: dict[tuple[str, str], Match] = {}
    for need_id in need_ids:
        for match in matching.match_profiles(db, need_id, profile_ids):
            matches[(need_id, match.profile_id)] = match
    return matches


def _store(
    db: Session,
    event_id: str,
    result: Allocation,
    matches: dict[tuple[str, str], Match],
    entries: dict[tuple[str, str], ShortlistEntry],
) -> None:
    """Write the chosen entries with fresh scores and reasons; removed ones stay as the
    organiser's record (and ranker labels), every other entry goes."""
    chosen = result.keys()
    for key, entry in entries.items():
        if key not in chosen and not entry.removed:
            db.delete(entry)
    for need_id, pairs in result.shortlists.items():
        for rank, pair in enumerate(pairs, start=1):
            entry = entries.get(pair.key) or _new_entry(db, event_id, need_id, pair.profile_id)
            match = matches[pair.key]
            entry.score = float(match.score)
            entry.reasons = reasons_to_json(match.explained)
            entry.rank = rank


def _new_entry(db: Session, event_id: str, need_id: str, profile_id: str) -> ShortlistEntry:
    entry = ShortlistEntry(
        event_id=event_id, need_id=need_id, profile_id=profile_id, pinned=False, removed=False
    )
    db.add(entry)
    return entry


def _decide(
    db: Session,
    *,
    actor: Actor,
    event_id: str,
    need_id: str,
    profile_id: str,
    pinned: bool,
    removed: bool,
) -> ShortlistEntry:
    managed_event(db, actor=actor, event_id=event_id)
    entry = db.get(ShortlistEntry, (event_id, need_id, profile_id))
    if entry is None:
        raise NotFound(N_("This SME is not on the need's shortlist."))
    entry.pinned, entry.removed = pinned, removed
    db.commit()
    return entry


def pin(
    db: Session, *, actor: Actor, event_id: str, need_id: str, profile_id: str
) -> ShortlistEntry:
    """Keep this SME on the need's shortlist through every rebuild."""
    return _decide(db, actor=actor, event_id=event_id, need_id=need_id, profile_id=profile_id,
                   pinned=True, removed=False)  # fmt: skip


def remove(
    db: Session, *, actor: Actor, event_id: str, need_id: str, profile_id: str
) -> ShortlistEntry:
    """Take this SME off the need's shortlist for good; a rebuild fills the place."""
    return _decide(db, actor=actor, event_id=event_id, need_id=need_id, profile_id=profile_id,
                   pinned=False, removed=True)  # fmt: skip


def restore(
    db: Session, *, actor: Actor, event_id: str, need_id: str, profile_id: str
) -> ShortlistEntry:
    """Forget the organiser's decision on this entry; the next rebuild weighs it again."""
    return _decide(db, actor=actor, event_id=event_id, need_id=need_id, profile_id=profile_id,
                   pinned=False, removed=False)  # fmt: skip


def overview(db: Session, *, actor: Actor, event_id: str, system: bool = False) -> Overview:
    """The event's shortlists as stored, need by need, with each SME's load."""
    event = managed_event(db, actor=actor, event_id=event_id, system=system)
    rows = db.execute(
        select(ShortlistEntry, CapabilityProfile, Enterprise)
        .join(CapabilityProfile, CapabilityProfile.id == ShortlistEntry.profile_id)
        .join(Enterprise, Enterprise.id == CapabilityProfile.enterprise_id)
        .where(ShortlistEntry.event_id == event.id)
        .order_by(ShortlistEntry.rank, ShortlistEntry.score.desc(), ShortlistEntry.profile_id)
    ).all()
    by_need: dict[str, list[Row]] = {}
    for entry, profile, enterprise in rows:
        by_need.setdefault(entry.need_id, []).append(Row(entry, profile, enterprise))
    needs = db.execute(
        select(Need, Enterprise)
        .join(EventNeed, EventNeed.need_id == Need.id)
        .join(Enterprise, Enterprise.id == Need.enterprise_id)
        .where(EventNeed.event_id == event.id, EventNeed.status == Participation.ACCEPTED)
        .order_by(Need.title, Need.id)
    ).all()
    shortlists = []
    for need, firm in needs:
        mine = by_need.get(need.id, [])
        removed = sorted((r for r in mine if r.entry.removed), key=lambda r: -r.entry.score)
        kept = [r for r in mine if not r.entry.removed]
        shortlists.append(NeedShortlist(need, firm, event.shortlist_size, kept, removed))
    return Overview(event, shortlists, _loads(db, event, shortlists))


def _loads(db: Session, event: Event, shortlists: list[NeedShortlist]) -> list[Load]:
    counts = Counter(row.profile.enterprise_id for s in shortlists for row in s.rows)
    seats = db.execute(
        select(EventSME, CapabilityProfile, Enterprise)
        .join(CapabilityProfile, CapabilityProfile.id == EventSME.profile_id)
        .join(Enterprise, Enterprise.id == EventSME.enterprise_id)
        .where(EventSME.event_id == event.id, EventSME.status == Participation.ACCEPTED)
        .order_by(Enterprise.name, Enterprise.id)
    ).all()
    return [
        Load(profile, enterprise, counts[enterprise.id], _capacity(event, seat))
        for seat, profile, enterprise in seats
    ]
