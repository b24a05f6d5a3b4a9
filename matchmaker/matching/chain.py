"""The industry-chain graph: segments of Shanghai's leading chains and who supplies whom.

Authored as YAML under models/chain/ (see models/README.md) and loaded once per process.
Edges: `supplies` (upstream segment → downstream segment) and `part_of` (segment → chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from matchmaker.resources import models_dir


@dataclass(frozen=True)
class Segment:
    id: str
    chain: str
    name: str
    name_en: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    products: tuple[str, ...]
    certifications: tuple[str, ...]
    gbt4754: tuple[str, ...]
    supplies: tuple[str, ...]


@dataclass(frozen=True)
class Chain:
    id: str
    name: str
    name_en: str


class ChainGraphError(ValueError):
    """The graph files are inconsistent; the message names the file and segment."""


@dataclass(frozen=True)
class ChainGraph:
    chains: dict[str, Chain]
    segments: dict[str, Segment]
    graph: Any  # networkx.DiGraph: chain and segment nodes, typed edges

    def segments_of(self, chain_id: str) -> list[Segment]:
        return [segment for segment in self.segments.values() if segment.chain == chain_id]


def _segment(raw: dict[str, Any], chain_id: str, source: str) -> Segment:
    try:
        return Segment(
            id=str(raw["id"]),
            chain=chain_id,
            name=str(raw["name"]),
            name_en=str(raw.get("name_en", "")),
            aliases=tuple(str(a) for a in raw.get("aliases") or ()),
            keywords=tuple(str(k) for k in raw.get("keywords") or ()),
            products=tuple(str(p) for p in raw.get("products") or ()),
            certifications=tuple(str(c) for c in raw.get("certifications") or ()),
            gbt4754=tuple(str(code) for code in raw.get("gbt4754") or ()),
            supplies=tuple(str(target) for target in raw.get("supplies") or ()),
        )
    except KeyError as missing:
        raise ChainGraphError(f"{source}: a segment lacks the field {missing}") from None


def load_chain_graph(directory: Path) -> ChainGraph:
    """Load and check every chain file; dangling `supplies` references are errors."""
    chains: dict[str, Chain] = {}
    segments: dict[str, Segment] = {}
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        meta = document["chain"]
        chain = Chain(
            id=str(meta["id"]), name=str(meta["name"]), name_en=str(meta.get("name_en", ""))
        )
        if chain.id != path.stem:
            raise ChainGraphError(f"{path.name}: chain id {chain.id!r} differs from the file name")
        chains[chain.id] = chain
        for raw in document.get("segments") or ():
            segment = _segment(raw, chain.id, path.name)
            if segment.id in segments:
                raise ChainGraphError(f"{path.name}: segment id {segment.id!r} is defined twice")
            segments[segment.id] = segment
    graph = nx.DiGraph()
    for chain in chains.values():
        graph.add_node(chain.id, kind="chain", name=chain.name)
    for segment in segments.values():
        graph.add_node(segment.id, kind="segment", name=segment.name, chain=segment.chain)
        graph.add_edge(segment.id, segment.chain, kind="part_of")
    for segment in segments.values():
        for target in segment.supplies:
            if target not in segments:
                raise ChainGraphError(f"segment {segment.id!r} supplies unknown segment {target!r}")
            graph.add_edge(segment.id, target, kind="supplies")
    return ChainGraph(chains=chains, segments=segments, graph=graph)


@cache
def default_chain_graph() -> ChainGraph:
    """The shipped graph, loaded once per process on first use."""
    return load_chain_graph(models_dir() / "chain")
