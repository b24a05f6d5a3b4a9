"""Event shortlists by min-cost flow: limits, decisions, and optimality against brute force."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from matchmaker.events.allocation import Allocation, Pair, allocate

Key = tuple[str, str]


def pairs(scores: dict[str, dict[str, float]]) -> list[Pair]:
    return [Pair(n, p, s) for n, row in scores.items() for p, s in row.items()]


def chosen(allocation: Allocation) -> dict[str, list[str]]:
    return {n: [p.profile_id for p in rows] for n, rows in allocation.shortlists.items()}


def greedy(candidates: list[Pair], size: int, capacity: int) -> tuple[dict[str, list[str]], float]:
    """Need after need, each takes its best SMEs that still have room."""
    used: Counter[str] = Counter()
    result: dict[str, list[str]] = {}
    total = 0.0
    for need_id in sorted({p.need_id for p in candidates}):
        ranked = sorted((p for p in candidates if p.need_id == need_id), key=lambda p: -p.score)
        result[need_id] = []
        for pair in ranked:
            if len(result[need_id]) < size and used[pair.profile_id] < capacity:
                result[need_id].append(pair.profile_id)
                used[pair.profile_id] += 1
                total += pair.score
    return result, total


def test_flow_spreads_a_strong_sme_that_greedy_gives_to_every_need() -> None:
    scores = {
        "n1": {"A": 90, "B": 85},
        "n2": {"A": 88, "C": 30},
        "n3": {"A": 86, "D": 25},
    }
    candidates = pairs(scores)
    naive = {n: [max(row, key=row.__getitem__)] for n, row in scores.items()}
    assert naive == {"n1": ["A"], "n2": ["A"], "n3": ["A"]}

    allocation = allocate(candidates, dict.fromkeys(scores, 1), dict.fromkeys("ABCD", 1))

    assert chosen(allocation) == {"n1": ["B"], "n2": ["C"], "n3": ["A"]}
    assert allocation.total == 85 + 30 + 86
    _, greedy_total = greedy(candidates, size=1, capacity=1)
    assert greedy_total == 90 + 30 + 25
    assert allocation.total > greedy_total


def test_shortlist_sizes_and_capacities_are_respected() -> None:
    scores = {n: {p: 50 + i + j for j, p in enumerate("ABCDE")} for i, n in enumerate("xyz")}
    allocation = allocate(pairs(scores), {"x": 2, "y": 3, "z": 1}, dict.fromkeys("ABCDE", 2))

    lengths = {n: len(rows) for n, rows in allocation.shortlists.items()}
    assert lengths == {"x": 2, "y": 3, "z": 1}
    appearances = Counter(p.profile_id for rows in allocation.shortlists.values() for p in rows)
    assert max(appearances.values()) <= 2


def test_shortlists_come_best_first() -> None:
    allocation = allocate(
        pairs({"n": {"A": 40, "B": 90, "C": 60}}), {"n": 3}, dict.fromkeys("ABC", 1)
    )
    assert chosen(allocation) == {"n": ["B", "C", "A"]}


def test_pinned_pairs_stay_and_use_up_room() -> None:
    scores = {"n1": {"A": 10, "B": 90}, "n2": {"A": 5, "B": 95}}
    allocation = allocate(pairs(scores), {"n1": 1, "n2": 1}, {"A": 1, "B": 1}, pinned=[("n1", "A")])
    assert chosen(allocation) == {"n1": ["A"], "n2": ["B"]}
    assert allocation.total == 105


def test_pinned_pairs_are_kept_even_beyond_the_limits() -> None:
    scores = {"n1": {"A": 10, "B": 20}, "n2": {"A": 30}}
    pinned = [("n1", "A"), ("n1", "B"), ("n2", "A")]
    allocation = allocate(pairs(scores), {"n1": 1, "n2": 1}, {"A": 1, "B": 1}, pinned=pinned)
    assert chosen(allocation) == {"n1": ["B", "A"], "n2": ["A"]}


def test_removed_pairs_are_never_chosen() -> None:
    scores = {"n": {"A": 90, "B": 80, "C": 10}}
    allocation = allocate(pairs(scores), {"n": 2}, dict.fromkeys("ABC", 1), removed={("n", "A")})
    assert chosen(allocation) == {"n": ["B", "C"]}


def test_pairs_worth_nothing_leave_the_slot_empty() -> None:
    scores = {"n": {"A": 70, "B": 0, "C": -5}, "m": {}}
    allocation = allocate(pairs(scores), {"n": 3, "m": 2}, dict.fromkeys("ABC", 3))
    assert chosen(allocation) == {"n": ["A"], "m": []}


def test_an_sme_counts_once_across_its_profiles() -> None:
    scores = {"n1": {"a1": 80, "a2": 90, "b": 40}, "n2": {"a1": 70, "b": 60}}
    allocation = allocate(
        pairs(scores),
        {"n1": 2, "n2": 1},
        {"A": 1, "b": 2},
        sme_of={"a1": "A", "a2": "A"},
    )
    assert chosen(allocation) == {"n1": ["a2", "b"], "n2": ["b"]}


@pytest.mark.parametrize(
    ("pinned", "removed", "message"),
    [
        ([("n", "Z")], [], "not among the candidates"),
        ([("n", "A")], [("n", "A")], "both pinned and removed"),
    ],
)
def test_inconsistent_decisions_are_refused(
    pinned: list[Key], removed: list[Key], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(pairs({"n": {"A": 1}}), {"n": 1}, {"A": 1}, pinned=pinned, removed=removed)


def brute_force(
    candidates: list[Pair],
    sizes: dict[str, int],
    capacities: dict[str, int],
    pinned: set[Key],
    removed: set[Key],
) -> float:
    """The best total over every way of filling every shortlist."""
    options: list[list[tuple[Pair, ...]]] = []
    for need_id, size in sizes.items():
        mine = [p for p in candidates if p.need_id == need_id and p.key not in removed]
        must = [p for p in mine if p.key in pinned]
        rest = [p for p in mine if p.key not in pinned]
        options.append(
            [
                (*must, *extra)
                for k in range(size - len(must) + 1)
                for extra in itertools.combinations(rest, k)
            ]
        )
    best = float("-inf")
    for combination in itertools.product(*options):
        used = Counter(p.profile_id for group in combination for p in group)
        if all(used[s] <= capacities[s] for s in used):
            best = max(best, sum(p.score for group in combination for p in group))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_allocation_is_optimal_on_small_random_events(seed: int) -> None:
    rng = random.Random(seed)
    needs = [f"n{i}" for i in range(rng.choice([3, 4]))]
    smes = [f"s{i}" for i in range(rng.choice([4, 5]) if len(needs) == 3 else 4)]
    candidates = [
        Pair(n, s, rng.choice([0, rng.randint(1, 100), rng.randint(1, 100)]))
        for n in needs
        for s in smes
        if rng.random() < 0.8
    ]
    sizes = {n: rng.randint(1, 2) for n in needs}
    capacities = {s: rng.randint(0, 2) for s in smes}
    pinned: set[Key] = set()
    removed: set[Key] = set()
    room, load = Counter(sizes), Counter(capacities)
    for pair in rng.sample(candidates, k=min(3, len(candidates))):
        if rng.random() < 0.5 and room[pair.need_id] > 0 and load[pair.profile_id] > 0:
            pinned.add(pair.key)
            room[pair.need_id] -= 1
            load[pair.profile_id] -= 1
        else:
            removed.add(pair.key)

    allocation = allocate(candidates, sizes, capacities, pinned=pinned, removed=removed)

    assert allocation.total == brute_force(candidates, sizes, capacities, pinned, removed)
    keys = allocation.keys()
    assert pinned <= keys
    assert not removed & keys
    assert all(len(rows) <= sizes[n] for n, rows in allocation.shortlists.items())
    used = Counter(profile_id for _need, profile_id in keys)
    assert all(used[s] <= capacities[s] for s in used)
    assert allocation.total == sum(p.score for rows in allocation.shortlists.values() for p in rows)
