"""The meeting scheduler: constraints on random instances, maximum by brute force, stability."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest

from matchmaker.events.scheduling import Item, Placement, Schedule, UnplacedReason, schedule

Unavailable = Mapping[str, set[int]]


def random_instance(
    rng: random.Random, meetings: int, firms: int, smes: int, slots: int
) -> tuple[list[Item], dict[str, set[int]]]:
    items = [
        Item(f"m{n}", f"firm{rng.randrange(firms)}", f"sme{rng.randrange(smes)}")
        for n in range(meetings)
    ]
    people = [f"firm{n}" for n in range(firms)] + [f"sme{n}" for n in range(smes)]
    unavailable = {p: {s for s in range(slots) if rng.random() < 0.25} for p in people}
    return items, unavailable


def check_constraints(
    result: Schedule,
    items: Sequence[Item],
    *,
    slots: int,
    tables: int,
    unavailable: Unavailable,
    blocked: frozenset[tuple[int, int]] = frozenset(),
) -> None:
    assert set(result.placements) == {item.id for item in items}
    cells: set[tuple[int, int]] = set()
    busy: set[tuple[str, int]] = set()
    for item in items:
        placement = result.placements[item.id]
        if placement.slot is None:
            assert placement.table is None and placement.reason is not None
            continue
        assert placement.table is not None and placement.reason is None
        assert 0 <= placement.slot < slots and 0 <= placement.table < tables
        cell = (placement.slot, placement.table)
        assert cell not in cells and cell not in blocked
        cells.add(cell)
        for participant in (item.firm, item.sme):
            assert placement.slot not in unavailable.get(participant, set())
            assert (participant, placement.slot) not in busy
            busy.add((participant, placement.slot))
    per_slot = Counter(slot for slot, _table in cells | blocked)
    assert all(count <= tables for count in per_slot.values())


def brute_force(
    items: Sequence[Item], *, slots: int, tables: int, unavailable: Unavailable
) -> tuple[int, int]:
    """The most meetings placeable and, with that many, the fewest previous slots changed."""
    best = (0, -len(items))
    for choice in itertools.product([None, *range(slots)], repeat=len(items)):
        busy: set[tuple[str, int]] = set()
        per_slot: Counter[int] = Counter()
        valid = True
        for item, slot in zip(items, choice, strict=True):
            if slot is None:
                continue
            for participant in (item.firm, item.sme):
                if slot in unavailable.get(participant, set()) or (participant, slot) in busy:
                    valid = False
                busy.add((participant, slot))
            per_slot[slot] += 1
        if not valid or any(count > tables for count in per_slot.values()):
            continue
        placed = sum(slot is not None for slot in choice)
        moved = sum(
            1 for item, slot in zip(items, choice, strict=True)
            if item.slot is not None and slot != item.slot
        )  # fmt: skip
        best = max(best, (placed, -moved))
    return best[0], -best[1]


def with_placements(items: Sequence[Item], result: Schedule) -> list[Item]:
    return [
        replace(item, slot=result.placements[item.id].slot, table=result.placements[item.id].table)
        for item in items
    ]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("exact", [True, False])
def test_schedule_respects_constraints_on_random_instances(seed: int, exact: bool) -> None:
    rng = random.Random(seed)
    slots, tables = rng.randint(1, 9), rng.randint(1, 8)
    items, unavailable = random_instance(rng, rng.randint(0, 80), 8, 20, slots)
    blocked = frozenset((rng.randrange(slots), rng.randrange(tables)) for _ in range(3))
    result = schedule(
        items, slots=slots, tables=tables, unavailable=unavailable, blocked=blocked, exact=exact
    )
    check_constraints(
        result, items, slots=slots, tables=tables, unavailable=unavailable, blocked=blocked
    )


@pytest.mark.parametrize("seed", range(150))
def test_schedule_places_the_brute_force_maximum(seed: int) -> None:
    rng = random.Random(1000 + seed)
    slots, tables = rng.randint(1, 3), rng.randint(1, 2)
    items, unavailable = random_instance(rng, rng.randint(1, 7), 2, 3, slots)
    result = schedule(items, slots=slots, tables=tables, unavailable=unavailable)
    placed, _moved = brute_force(items, slots=slots, tables=tables, unavailable=unavailable)
    assert (result.placed, result.optimal) == (placed, True)


@pytest.mark.parametrize("seed", range(120))
def test_rescheduling_moves_the_brute_force_minimum(seed: int) -> None:
    rng = random.Random(5000 + seed)
    slots, tables = rng.randint(1, 3), rng.randint(1, 2)
    items, unavailable = random_instance(rng, rng.randint(1, 6), 2, 3, slots)
    before = with_placements(items, schedule(items, slots=slots, tables=tables))
    added = Item("new", f"firm{rng.randrange(2)}", f"sme{rng.randrange(3)}")
    changed = [*before, added]
    result = schedule(changed, slots=slots, tables=tables, unavailable=unavailable)
    check_constraints(result, changed, slots=slots, tables=tables, unavailable=unavailable)
    expected = brute_force(changed, slots=slots, tables=tables, unavailable=unavailable)
    assert (result.placed, len(result.moved)) == expected


def test_adding_a_meeting_with_room_moves_nothing() -> None:
    rng = random.Random(7)
    items, unavailable = random_instance(rng, 30, 6, 15, 9)
    before = with_placements(items, schedule(items, slots=9, tables=10, unavailable=unavailable))
    added = Item("late", "firm-new", "sme-new")
    result = schedule([*before, added], slots=9, tables=10, unavailable=unavailable)
    assert result.moved == []
    assert all(result.placements[i.id] == Placement(i.slot, i.table) for i in before if i.slot)
    assert result.placements["late"].slot is not None


def test_adding_a_meeting_moves_one_to_make_room() -> None:
    first = Item("m1", "firm1", "sme1", slot=0, table=0)
    late = Item("m2", "firm2", "sme2")  # can only come in slot 0
    result = schedule([first, late], slots=2, tables=1, unavailable={"sme2": {1}})
    assert result.placements == {"m1": Placement(1, 0), "m2": Placement(0, 0)}
    assert result.moved == ["m1"]


def test_a_firm_with_several_needs_meets_once_per_slot() -> None:
    items = [Item("a", "firm", "sme1"), Item("b", "firm", "sme2"), Item("c", "firm", "sme3")]
    result = schedule(items, slots=2, tables=5)
    assert result.placed == 2
    slots = {result.placements[i.id].slot for i in items} - {None}
    assert slots == {0, 1}
    unplaced = [p for p in result.placements.values() if p.slot is None]
    assert [p.reason for p in unplaced] == [UnplacedReason.BUSY]


@pytest.mark.parametrize(
    ("unavailable", "tables", "reason"),
    [
        ({"sme2": {0, 1}}, 5, UnplacedReason.UNAVAILABLE),
        ({"firm2": {0}, "sme2": {1}}, 5, UnplacedReason.UNAVAILABLE),
        ({"firm1": {1}, "firm3": {0}}, 1, UnplacedReason.NO_TABLE),
    ],
)
def test_unplaced_meetings_carry_the_reason(
    unavailable: dict[str, set[int]], tables: int, reason: UnplacedReason
) -> None:
    items = [
        Item("a", "firm1", "sme1"),
        Item("b", "firm3", "sme3"),
        Item("z", "firm2", "sme2"),
    ]
    result = schedule(items, slots=2, tables=tables, unavailable=unavailable)
    assert result.placements["z"] == Placement(None, None, reason)


def test_blocked_cells_stay_free() -> None:
    items = [Item("a", "firm1", "sme1"), Item("b", "firm2", "sme2")]
    result = schedule(items, slots=1, tables=2, blocked={(0, 0)})
    assert result.placed == 1
    assert {p.table for p in result.placements.values()} == {1, None}


def test_previous_placement_outside_the_grid_is_moved() -> None:
    items = [
        Item("a", "firm1", "sme1", slot=8, table=0),
        Item("b", "firm2", "sme2", slot=0, table=7),
    ]
    result = schedule(items, slots=3, tables=2)
    assert result.placements["b"].slot == 0  # the slot is still fine; the table is not
    assert result.placements["a"].slot is not None
    assert sorted(result.moved) == ["a", "b"]


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        schedule([Item("a", "f", "s"), Item("a", "f", "t")], slots=1, tables=1)
