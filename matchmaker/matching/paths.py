"""Where a need and a candidate sit on the industry-chain graph, as a short path to draw.

The candidate page shows the need's segment, the candidate's segment and the segments
between them, so a firm sees at a glance whether the SME is an upstream supplier, a
sibling supplier or only a customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from matchmaker.matching.chain import RELATION_STRENGTH, ChainGraph, Relation, Relations

MAX_HOPS = 4


@dataclass(frozen=True)
class PathNode:
    segment_id: str
    name: str
    name_en: str
    chain: str
    role: str  # "candidate", "need", "both" or "via"


@dataclass(frozen=True)
class ChainPath:
    nodes: list[PathNode]
    relation: Relation
    descriptions: dict[str, str]  # "zh" and "en"
    # True when arrows point from the candidate towards the need (supply direction).
    downstream: bool


_SUPPLY_GRAPHS: dict[int, tuple[ChainGraph, nx.DiGraph]] = {}


def _supply_graph(chain_graph: ChainGraph) -> nx.DiGraph:
    """Only the supply edges, built once per loaded graph (graphs live for the process)."""
    cached = _SUPPLY_GRAPHS.get(id(chain_graph))
    if cached is not None and cached[0] is chain_graph:
        return cached[1]
    graph = nx.DiGraph()
    graph.add_nodes_from(chain_graph.segments)
    graph.add_edges_from(
        (source, target)
        for source, target, data in chain_graph.graph.edges(data=True)
        if data["kind"] == "supplies"
    )
    _SUPPLY_GRAPHS[id(chain_graph)] = (chain_graph, graph)
    return graph


def _shortest(graph: nx.DiGraph | nx.Graph, source: str, target: str) -> list[str] | None:
    try:
        path: list[str] = nx.shortest_path(graph, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return path if len(path) - 1 <= MAX_HOPS else None


def chain_path(
    relations: Relations, asked: Sequence[str], offered: Sequence[str]
) -> ChainPath | None:
    """The strongest related pair of the need's and the candidate's segments, as a path."""
    chain_graph = relations.chain_graph
    pairs = [(a, o) for a in asked for o in offered if a in chain_graph.segments]
    pairs = [(a, o) for a, o in pairs if o in chain_graph.segments]
    if not pairs:
        return None
    a, o = max(pairs, key=lambda pair: RELATION_STRENGTH[relations.relation(pair[0], pair[1])])
    relation = relations.relation(a, o)
    graph = _supply_graph(chain_graph)
    downstream = True
    ids = [o] if a == o else _shortest(graph, o, a)
    if ids is None:
        reverse = _shortest(graph, a, o)
        if reverse is not None:
            ids, downstream = list(reversed(reverse)), False
    if ids is None:
        ids = _shortest(graph.to_undirected(as_view=True), o, a) or [o, a]
    nodes = [_node(chain_graph, segment_id, o, a) for segment_id in ids]
    descriptions = {lang: relations.describe(a, o, lang) for lang in ("zh", "en")}
    return ChainPath(nodes, relation, descriptions, downstream)


def _node(chain_graph: ChainGraph, segment_id: str, offered: str, asked: str) -> PathNode:
    segment = chain_graph.segments[segment_id]
    role = "via"
    if segment_id == offered and segment_id == asked:
        role = "both"
    elif segment_id == offered:
        role = "candidate"
    elif segment_id == asked:
        role = "need"
    chain = chain_graph.chains[segment.chain].name
    return PathNode(segment_id, segment.name, segment.name_en, chain, role)
