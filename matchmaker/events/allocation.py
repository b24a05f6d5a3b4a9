"""Fill every need's shortlist at once, best total score within each SME's capacity.

A pure function over scored pairs; the shortlist service feeds it from the matching engine.
Greedy per-need ranking would hand the same strong SME to every need and leave the others
with nobody; a minimum-cost flow gives the exact optimum of the whole event instead:

    source ─(size N, cost 0)→ need ─(1, −score)→ SME ─(capacity, cost 0)→ sink
    source ───────────────(ΣN, cost 0)─────────────────────────────────→ sink

The direct source→sink edge carries the flow no pair is worth, so a slot stays empty rather
than being filled with a pair that adds nothing; pinned pairs are placed first and only what
they leave of each shortlist and capacity goes into the flow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

SCALE = 1000  # scores (0-100, maybe fractional) become integer costs for the network simplex
Key = tuple[str, str]  # (need id, profile id)


@dataclass(frozen=True)
class Pair:
    need_id: str
    profile_id: str
    score: float

    @property
    def key(self) -> Key:
        return (self.need_id, self.profile_id)


@dataclass(frozen=True)
class Allocation:
    shortlists: dict[str, list[Pair]]  # need id → chosen pairs, best first
    total: float

    def keys(self) -> set[Key]:
        return {pair.key for pairs in self.shortlists.values() for pair in pairs}


def allocate(
    candidates: Iterable[Pair],
    sizes: Mapping[str, int],
    capacities: Mapping[str, int],
    *,
    sme_of: Mapping[str, str] | None = None,
    pinned: Collection[Key] = (),
    removed: Collection[Key] = (),
) -> Allocation:
    """The pairs that maximise the total score: at most `sizes[need]` per need, at most
    `capacities[sme]` appearances per SME (`sme_of` maps a profile to its SME; by default each
    profile is one), each SME at most once per need, every pinned pair included (counting
    against both limits even beyond them) and no removed pair. Pairs scoring 0 or less are
    never chosen. Ties are broken arbitrarily but the result is always optimal."""
    owner = dict(sme_of or {})
    pins, drops = set(pinned), set(removed)
    pairs = _best_per_key(candidates)
    _check(pairs, sizes, capacities, owner, pins, drops)
    kept = [pairs[key] for key in sorted(pins)]
    shortlist_room = Counter(sizes)
    sme_room = Counter(capacities)
    taken: set[tuple[str, str]] = set()  # (need, SME) pairs already on a shortlist
    for pair in kept:
        sme = owner.get(pair.profile_id, pair.profile_id)
        shortlist_room[pair.need_id] -= 1
        sme_room[sme] -= 1
        taken.add((pair.need_id, sme))
    free = [
        pair
        for key, pair in pairs.items()
        if key not in pins
        and key not in drops
        and _cost(pair.score) > 0
        and (pair.need_id, owner.get(pair.profile_id, pair.profile_id)) not in taken
    ]
    chosen = kept + _flow(free, shortlist_room, sme_room, owner)
    shortlists: dict[str, list[Pair]] = {need_id: [] for need_id in sizes}
    for pair in chosen:
        shortlists[pair.need_id].append(pair)
    for rows in shortlists.values():
        rows.sort(key=lambda p: (-p.score, p.profile_id))
    return Allocation(shortlists, sum(pair.score for pair in chosen))


def _best_per_key(candidates: Iterable[Pair]) -> dict[Key, Pair]:
    best: dict[Key, Pair] = {}
    for pair in candidates:
        if pair.key not in best or pair.score > best[pair.key].score:
            best[pair.key] = pair
    return best


def _check(
    pairs: Mapping[Key, Pair],
    sizes: Mapping[str, int],
    capacities: Mapping[str, int],
    owner: Mapping[str, str],
    pinned: set[Key],
    removed: set[Key],
) -> None:
    for need_id, profile_id in pairs:
        if need_id not in sizes:
            raise ValueError(f"need {need_id!r} has no shortlist size")
        if owner.get(profile_id, profile_id) not in capacities:
            raise ValueError(f"the SME of profile {profile_id!r} has no capacity")
    missing = [key for key in pinned if key not in pairs]
    if missing:
        raise ValueError(f"pinned pairs are not among the candidates: {sorted(missing)}")
    both = pinned & removed
    if both:
        raise ValueError(f"pairs both pinned and removed: {sorted(both)}")


def _flow(
    pairs: list[Pair],
    shortlist_room: Mapping[str, int],
    sme_room: Mapping[str, int],
    owner: Mapping[str, str],
) -> list[Pair]:
    """The optimal choice among `pairs` (at most one per need and SME) by min-cost flow."""
    best: dict[tuple[str, str], Pair] = {}  # one edge per (need, SME): its best profile
    for pair in pairs:
        edge = (pair.need_id, owner.get(pair.profile_id, pair.profile_id))
        has_room = shortlist_room[edge[0]] > 0 and sme_room[edge[1]] > 0
        if has_room and (edge not in best or pair.score > best[edge].score):
            best[edge] = pair
    supply = sum(max(room, 0) for room in shortlist_room.values())
    if not best or supply == 0:
        return []
    graph = nx.DiGraph()
    graph.add_node("source", demand=-supply)
    graph.add_node("sink", demand=supply)
    graph.add_edge("source", "sink", capacity=supply, weight=0)
    for (need_id, sme), pair in best.items():
        graph.add_edge("source", ("need", need_id), capacity=shortlist_room[need_id], weight=0)
        graph.add_edge(("need", need_id), ("sme", sme), capacity=1, weight=-_cost(pair.score))
        graph.add_edge(("sme", sme), "sink", capacity=sme_room[sme], weight=0)
    flow = nx.min_cost_flow(graph)
    return [
        pair for (need_id, sme), pair in best.items() if flow[("need", need_id)][("sme", sme)] > 0
    ]


def _cost(score: float) -> int:
    return round(score * SCALE)
