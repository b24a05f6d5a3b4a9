"""Place an event's accepted meetings into (slot, table) cells; pure, no database.

The contract:
- no participant (a firm, whatever number of needs it brings, or an SME) has two meetings in
  one slot, nobody meets in a slot they marked unavailable, a slot holds at most `tables`
  meetings, and blocked cells (meetings already held) stay as they are;
- as many meetings as possible are placed and, among the schedules placing that many, the
  fewest previously placed meetings move (a move is any change of slot or table);
- every unplaced meeting gets a reason.

How it gets there, and what is exact:
1. A greedy pass keeps every previous placement that is still valid, then inserts the other
   meetings, most constrained first, into free cells, and repairs with one-step ejections
   (move one blocking meeting elsewhere to make room). When it places every meeting without
   dropping a valid previous placement, the result is optimal on both counts and is returned.
2. Otherwise an integer program (`scheduling_ilp`, HiGHS through scipy) chooses slots with the
   objective "placed, then kept", which is exact when HiGHS proves optimality within the time
   limit. If it stops early, the better of its best solution and the greedy one is used and
   `Schedule.optimal` is False.
3. Tables are given per slot: a meeting that keeps its slot keeps its table when that table
   is still free and valid, so table changes are only the forced ones.
The general problem (edge colouring with forbidden colours) is NP-hard, so step 2 may take
exponential time in the worst case; the time limit bounds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from matchmaker.events import scheduling_ilp


class UnplacedReason(StrEnum):
    UNAVAILABLE = "unavailable"  # no slot in which both sides can attend
    BUSY = "busy"  # in every slot both can attend, one of them has another meeting
    NO_TABLE = "no_table"  # a slot suits both, but all its tables are taken


@dataclass(frozen=True)
class Item:
    """One accepted meeting between a firm and an SME, with its current placement if any."""

    id: str
    firm: str
    sme: str
    slot: int | None = None
    table: int | None = None


@dataclass(frozen=True)
class Placement:
    slot: int | None
    table: int | None
    reason: UnplacedReason | None = None


@dataclass(frozen=True)
class Schedule:
    placements: dict[str, Placement]
    moved: list[str]  # previously placed meetings whose cell changed or that lost it
    optimal: bool  # proven to place the most meetings with the fewest moves

    @property
    def placed(self) -> int:
        return sum(1 for p in self.placements.values() if p.slot is not None)


@dataclass
class Problem:
    """The instance with what every pass needs precomputed."""

    items: list[Item]
    slots: int
    tables: int
    blocked: frozenset[tuple[int, int]]
    feasible: dict[str, list[int]] = field(default_factory=dict)  # slots both can attend
    capacity: list[int] = field(default_factory=list)  # free tables per slot

    def kept_slot(self, item: Item) -> int | None:
        """The previous slot if it is still one the meeting may use."""
        return item.slot if item.slot in self.feasible[item.id] else None


def slot_window(starts_at: datetime, slot_minutes: int, slot: int) -> tuple[datetime, datetime]:
    """When slot number `slot` (from 0) begins and ends; rounds follow without breaks."""
    start = starts_at + timedelta(minutes=slot * slot_minutes)
    return start, start + timedelta(minutes=slot_minutes)


def schedule(
    items: Sequence[Item],
    *,
    slots: int,
    tables: int,
    unavailable: Mapping[str, Collection[int]] | None = None,
    blocked: Collection[tuple[int, int]] = (),
    exact: bool = True,
    time_limit: float = 20.0,
) -> Schedule:
    """Place `items`; `unavailable` maps a participant id (firm or SME) to its slot numbers."""
    if len({item.id for item in items}) != len(items):
        raise ValueError("meeting ids must be unique")
    problem = _problem(items, slots, tables, unavailable or {}, blocked)
    slot_of, complete = greedy(problem)
    optimal = complete
    if not complete and exact:
        result = scheduling_ilp.solve(problem, time_limit=time_limit)
        if result is not None and _score(problem, result.slot_of) >= _score(problem, slot_of):
            slot_of, optimal = _filled(problem, result.slot_of), result.optimal
    placements = _with_tables(problem, slot_of)
    moved = [
        item.id
        for item in problem.items
        if item.slot is not None
        and (placements[item.id].slot, placements[item.id].table) != (item.slot, item.table)
    ]
    return Schedule(placements=placements, moved=moved, optimal=optimal)


def _problem(
    items: Sequence[Item],
    slots: int,
    tables: int,
    unavailable: Mapping[str, Collection[int]],
    blocked: Collection[tuple[int, int]],
) -> Problem:
    cells = frozenset((s, t) for s, t in blocked if 0 <= s < slots and 0 <= t < tables)
    taken: defaultdict[int, int] = defaultdict(int)
    for slot, _table in cells:
        taken[slot] += 1
    problem = Problem(sorted(items, key=lambda i: i.id), max(slots, 0), max(tables, 0), cells)
    problem.capacity = [problem.tables - taken[s] for s in range(problem.slots)]
    for item in problem.items:
        away = set(unavailable.get(item.firm, ())) | set(unavailable.get(item.sme, ()))
        problem.feasible[item.id] = [s for s in range(problem.slots) if s not in away]
    return problem


def _score(problem: Problem, slot_of: Mapping[str, int]) -> tuple[int, int]:
    kept = sum(1 for i in problem.items if i.slot is not None and slot_of.get(i.id) == i.slot)
    return len(slot_of), kept


class _Grid:
    """Who is busy when, and how many tables each slot has left, during the greedy pass."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.free = list(problem.capacity)
        self.busy: dict[tuple[str, int], str] = {}  # (participant, slot) -> meeting id
        self.slot_of: dict[str, int] = {}

    def fits(self, item: Item, slot: int) -> bool:
        return (
            slot in self.problem.feasible[item.id]
            and self.free[slot] > 0
            and (item.firm, slot) not in self.busy
            and (item.sme, slot) not in self.busy
        )

    def put(self, item: Item, slot: int) -> None:
        self.free[slot] -= 1
        self.busy[item.firm, slot] = self.busy[item.sme, slot] = item.id
        self.slot_of[item.id] = slot

    def take(self, item: Item) -> int:
        slot = self.slot_of.pop(item.id)
        self.free[slot] += 1
        del self.busy[item.firm, slot], self.busy[item.sme, slot]
        return slot

    def first_fit(self, item: Item, preferred: int | None = None) -> int | None:
        if preferred is not None and self.fits(item, preferred):
            return preferred
        return next((s for s in self.problem.feasible[item.id] if self.fits(item, s)), None)


def greedy(problem: Problem) -> tuple[dict[str, int], bool]:
    """Keep, insert, repair. Returns the slots and whether the result is provably optimal."""
    grid = _Grid(problem)
    by_id = {item.id: item for item in problem.items}
    dropped_valid = False
    for item in problem.items:
        kept = problem.kept_slot(item)
        if kept is not None:
            if grid.fits(item, kept):
                grid.put(item, kept)
            else:
                dropped_valid = True  # two old placements clash; which to move is a choice
    waiting = [item for item in problem.items if item.id not in grid.slot_of]
    waiting.sort(key=lambda item: (len(problem.feasible[item.id]), item.id))
    for item in waiting:
        slot = grid.first_fit(item, item.slot)
        if slot is not None:
            grid.put(item, slot)
    improved = True
    while improved:
        improved = False
        for item in waiting:
            if item.id not in grid.slot_of and _eject_one(grid, item, by_id):
                improved = True
    complete = len(grid.slot_of) == len(problem.items) and not dropped_valid
    return grid.slot_of, complete


def _filled(problem: Problem, slot_of: Mapping[str, int]) -> dict[str, int]:
    """Add any meeting that still fits a free cell (a solver stopped early may leave one)."""
    grid = _Grid(problem)
    for item in problem.items:
        if item.id in slot_of:
            grid.put(item, slot_of[item.id])
    for item in problem.items:
        slot = None if item.id in grid.slot_of else grid.first_fit(item, item.slot)
        if slot is not None:
            grid.put(item, slot)
    return grid.slot_of


def _eject_one(grid: _Grid, item: Item, by_id: Mapping[str, Item]) -> bool:
    """Place `item` by moving its blocking meetings in one slot to other slots, if that works."""
    for slot in grid.problem.feasible[item.id]:
        blockers = {grid.busy.get((item.firm, slot)), grid.busy.get((item.sme, slot))} - {None}
        if not blockers and grid.free[slot] > 0:
            grid.put(item, slot)
            return True
        candidates = [sorted(b for b in blockers if b)] if blockers else [
            [other] for other, s in sorted(grid.slot_of.items()) if s == slot
        ]  # fmt: skip
        for group in candidates:
            moving = [by_id[meeting_id] for meeting_id in group]
            for other in moving:
                grid.take(other)
            if grid.fits(item, slot):
                grid.put(item, slot)
                targets = _replace_all(grid, moving)
                if targets is not None:
                    return True
                grid.take(item)
            for other in moving:
                grid.put(other, slot)
    return False


def _replace_all(grid: _Grid, moving: list[Item]) -> list[int] | None:
    """Re-place every moved meeting elsewhere, or undo those placed and give up."""
    placed: list[Item] = []
    for other in moving:
        target = grid.first_fit(other)
        if target is None:
            for done in placed:
                grid.take(done)
            return None
        grid.put(other, target)
        placed.append(other)
    return [grid.slot_of[other.id] for other in moving]


def _with_tables(problem: Problem, slot_of: Mapping[str, int]) -> dict[str, Placement]:
    """Tables per slot: keep a still-valid previous table, fill the rest from the lowest."""
    used: set[tuple[int, int]] = set(problem.blocked)
    placements: dict[str, Placement] = {}
    staying = [i for i in problem.items if i.id in slot_of and slot_of[i.id] == i.slot]
    for item in staying:
        cell = (slot_of[item.id], item.table)
        if item.table is not None and 0 <= item.table < problem.tables and cell not in used:
            used.add((cell[0], item.table))
            placements[item.id] = Placement(cell[0], item.table)
    for item in problem.items:
        if item.id in placements or item.id not in slot_of:
            continue
        slot = slot_of[item.id]
        table = next(t for t in range(problem.tables) if (slot, t) not in used)
        used.add((slot, table))
        placements[item.id] = Placement(slot, table)
    for item in problem.items:
        if item.id not in placements:
            placements[item.id] = Placement(None, None, _reason(problem, item, slot_of))
    return placements


def _reason(problem: Problem, item: Item, slot_of: Mapping[str, int]) -> UnplacedReason:
    feasible = problem.feasible[item.id]
    if not feasible:
        return UnplacedReason.UNAVAILABLE
    busy: set[tuple[str, int]] = set()
    for other in problem.items:
        if other.id in slot_of:
            busy |= {(other.firm, slot_of[other.id]), (other.sme, slot_of[other.id])}
    for slot in feasible:
        if (item.firm, slot) not in busy and (item.sme, slot) not in busy:
            return UnplacedReason.NO_TABLE
    return UnplacedReason.BUSY
