from pathlib import Path

import networkx as nx
import pytest

from matchmaker.matching.chain import (
    ChainGraphError,
    Relation,
    Relations,
    default_chain_graph,
    export_json,
    load_chain_graph,
)

CHAINS = {
    "ic",
    "biomed",
    "ai",
    "nev",
    "equipment",
    "materials",
    "electronics",
    "consumer",
    "services",
}


def test_graph_loads_with_every_chain_and_enough_segments() -> None:
    graph = default_chain_graph()
    assert set(graph.chains) == CHAINS
    assert len(graph.segments) >= 250


def test_every_segment_is_part_of_its_chain_and_reachable_from_it() -> None:
    graph = default_chain_graph()
    undirected = graph.graph.to_undirected()
    for segment in graph.segments.values():
        assert graph.graph.edges[segment.id, segment.chain]["kind"] == "part_of"
        assert nx.has_path(undirected, segment.chain, segment.id)


def test_supplies_edges_point_at_existing_segments() -> None:
    graph = default_chain_graph()
    for source, target, data in graph.graph.edges(data=True):
        assert source in graph.segments
        assert target in graph.segments or (data["kind"] == "part_of" and target in graph.chains)


def test_english_abbreviations_are_aliases_or_keywords() -> None:
    graph = default_chain_graph()
    terms = {t.lower() for s in graph.segments.values() for t in (*s.aliases, *s.keywords)}
    assert {"sic", "bms", "cdmo", "lidar", "mes"} <= terms


def test_dangling_reference_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(
        "chain: {id: x, name: 测试}\nsegments:\n  - {id: x.a, name: 甲, supplies: [x.missing]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ChainGraphError, match=r"supplies unknown segment 'x\.missing'"):
        load_chain_graph(tmp_path)


def test_relations_are_direction_aware() -> None:
    relations = Relations(default_chain_graph())
    assert relations.relation("ic.wafer_fab", "ic.wafer_fab") is Relation.SAME
    assert relations.relation("ic.wafer_fab", "ic.electronic_gases") is Relation.SUPPLIER
    assert relations.relation("ic.electronic_gases", "ic.wafer_fab") is Relation.BUYER
    assert (
        relations.describe("ic.wafer_fab", "ic.electronic_gases")
        == "电子特气 → 晶圆制造：上游直接供应"
    )


def test_export_has_nodes_and_typed_edges() -> None:
    exported = export_json(default_chain_graph())
    kinds = {edge["kind"] for edge in exported["edges"]}
    assert kinds == {"supplies", "part_of"}
    assert {node["id"] for node in exported["nodes"]} >= CHAINS
