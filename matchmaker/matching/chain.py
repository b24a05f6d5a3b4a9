"""The industry-chain graph: segments of Shanghai's leading chains and who supplies whom.

Authored as YAML under models/chain/ (see models/README.md) and loaded once per process.
Edges: `supplies` (upstream segment → downstream segment) and `part_of` (segment → chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
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


def dictionary_terms(chain_graph: ChainGraph) -> list[str]:
    """Every name, alias, keyword and product: the domain dictionary for segmentation."""
    return [
        term
        for s in chain_graph.segments.values()
        for term in (s.name, *s.aliases, *s.keywords, *s.products)
    ]


@cache
def default_chain_graph() -> ChainGraph:
    """The shipped graph, loaded once per process on first use."""
    return load_chain_graph(models_dir() / "chain")


class Relation(StrEnum):
    """How an offered segment relates to an asked one, strongest first (direction-aware)."""

    SAME = "same"
    SUPPLIER = "supplier"  # the offered segment directly supplies the asked one
    SIBLING = "sibling"  # both supply the same downstream segment
    TWO_HOPS = "two_hops"  # offered → X → asked
    SAME_CHAIN = "same_chain"
    BUYER = "buyer"  # the offered segment consumes the asked one: a customer, not a supplier
    UNRELATED = "unrelated"


RELATION_STRENGTH = {
    Relation.SAME: 1.0,
    Relation.SUPPLIER: 0.6,
    Relation.SIBLING: 0.5,
    Relation.TWO_HOPS: 0.3,
    Relation.SAME_CHAIN: 0.15,
    Relation.BUYER: 0.0,
    Relation.UNRELATED: 0.0,
}


RELATION_WORDS = {
    "zh": {
        "same": "同一产业链环节：{asked}",
        "supplier": "{offered} → {asked}：上游直接供应",
        "sibling": "{offered} 与 {asked}：同为下游环节的供应方（兄弟环节）",
        "two_hops": "{offered} → … → {asked}：上游二级供应",
        "same_chain": "{offered} 与 {asked}：同属{chain}产业链",
        "buyer": "{offered} 是 {asked} 的下游用户，而非供应方",
        "unrelated": "{offered} 与 {asked}：产业链上无直接关联",
    },
    "en": {
        "same": "same chain segment: {asked}",
        "supplier": "{offered} → {asked}: direct upstream supplier",
        "sibling": "{offered} and {asked}: both supply the same downstream segment",
        "two_hops": "{offered} → … → {asked}: second-tier upstream supplier",
        "same_chain": "{offered} and {asked}: both in the {chain} chain",
        "buyer": "{offered} is a downstream user of {asked}, not a supplier",
        "unrelated": "{offered} and {asked}: not related on the chain",
    },
}


class Relations:
    """Precomputed relations from each asked segment to every related offered segment."""

    def __init__(self, chain_graph: ChainGraph) -> None:
        self.chain_graph = chain_graph
        graph = chain_graph.graph
        supplies = {
            s: {t for t in graph.successors(s) if graph.edges[s, t]["kind"] == "supplies"}
            for s in chain_graph.segments
        }
        supplied_by: dict[str, set[str]] = {s: set() for s in chain_graph.segments}
        for source, targets in supplies.items():
            for target in targets:
                supplied_by[target].add(source)
        self._table: dict[str, dict[str, Relation]] = {}
        for asked in chain_graph.segments:
            row: dict[str, Relation] = {}
            chain = chain_graph.segments[asked].chain
            for other in chain_graph.segments_of(chain):
                row[other.id] = Relation.SAME_CHAIN
            for hop in supplied_by[asked]:
                for far in supplied_by[hop]:
                    row[far] = Relation.TWO_HOPS
            for downstream in supplies[asked]:
                for sibling in supplied_by[downstream]:
                    row[sibling] = Relation.SIBLING
            for buyer in supplies[asked]:
                row[buyer] = Relation.BUYER
            for supplier in supplied_by[asked]:
                row[supplier] = Relation.SUPPLIER
            row[asked] = Relation.SAME
            self._table[asked] = row

    def relation(self, asked: str, offered: str) -> Relation:
        return self._table.get(asked, {}).get(offered, Relation.UNRELATED)

    def related(self, asked: str) -> dict[str, Relation]:
        """Every offered segment with a relation to `asked` (unrelated ones are absent)."""
        return self._table.get(asked, {})

    def describe(self, asked: str, offered: str, language: str = "zh") -> str:
        """The relation in words, e.g. "电子特气 → 晶圆制造：上游直接供应"."""
        segments, chains = self.chain_graph.segments, self.chain_graph.chains
        a, o = segments[asked], segments[offered]
        english = language == "en"
        names = {
            "asked": a.name_en if english else a.name,
            "offered": o.name_en if english else o.name,
            "chain": chains[a.chain].name_en if english else chains[a.chain].name,
        }
        relation = self.relation(asked, offered)
        return RELATION_WORDS["en" if english else "zh"][relation.value].format(**names)


def export_json(chain_graph: ChainGraph) -> dict[str, Any]:
    """Nodes and typed edges, for drawing the graph in a browser."""
    nodes: list[dict[str, Any]] = [
        {"id": c.id, "kind": "chain", "name": c.name, "name_en": c.name_en}
        for c in chain_graph.chains.values()
    ]
    nodes.extend(
        {"id": s.id, "kind": "segment", "chain": s.chain, "name": s.name, "name_en": s.name_en,
         "aliases": list(s.aliases), "gbt4754": list(s.gbt4754)}
        for s in chain_graph.segments.values()
    )  # fmt: skip
    edges = [
        {"source": source, "target": target, "kind": data["kind"]}
        for source, target, data in chain_graph.graph.edges(data=True)
    ]
    return {"nodes": nodes, "edges": edges}
