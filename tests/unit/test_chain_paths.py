"""The picture of where a need and a candidate sit on the chain follows supply direction."""

from __future__ import annotations

from matchmaker.matching.chain import Relation, Relations, default_chain_graph
from matchmaker.matching.paths import chain_path

RELATIONS = Relations(default_chain_graph())


def test_direct_supplier_path_points_downstream_to_the_need() -> None:
    path = chain_path(RELATIONS, ["ic.wafer_fab"], ["ic.electronic_gases"])
    assert path is not None
    assert [(n.segment_id, n.role) for n in path.nodes] == [
        ("ic.electronic_gases", "candidate"),
        ("ic.wafer_fab", "need"),
    ]
    assert path.relation is Relation.SUPPLIER and path.downstream
    assert path.descriptions == {
        "zh": "电子特气 → 晶圆制造：上游直接供应",
        "en": "Electronic specialty gases → Wafer fabrication (foundry): direct upstream supplier",
    }


def test_buyer_path_points_back_upstream() -> None:
    path = chain_path(RELATIONS, ["ic.electronic_gases"], ["ic.wafer_fab"])
    assert path is not None
    assert path.relation is Relation.BUYER and not path.downstream
    assert [n.role for n in path.nodes] == ["candidate", "need"]


def test_same_segment_is_one_node() -> None:
    path = chain_path(RELATIONS, ["ic.wafer_fab"], ["ic.wafer_fab"])
    assert path is not None and [n.role for n in path.nodes] == ["both"]


def test_strongest_pair_is_drawn_and_unknown_segments_ignored() -> None:
    path = chain_path(
        RELATIONS,
        ["ic.wafer_fab", "nope"],
        ["consumer.cosmetics_ingredients", "ic.electronic_gases"],
    )
    assert path is not None and path.relation is Relation.SUPPLIER
    assert chain_path(RELATIONS, ["nope"], ["ic.wafer_fab"]) is None
