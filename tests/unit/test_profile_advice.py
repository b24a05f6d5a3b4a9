"""Advice on a capability profile being written, and the segments its text maps to."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matchmaker.matching.assign import SegmentAssigner
from matchmaker.matching.chain import default_chain_graph, dictionary_terms
from matchmaker.matching.text import Analyzer
from matchmaker.profiles import advice
from matchmaker.profiles.advice import Advice, Draft, SegmentHit

COMPLETE = Draft(
    title="高纯电子特气研发与供应",
    summary="为12英寸晶圆厂提供三氟化氮、六氟化钨等高纯电子特气，具备6N纯度提纯、钢瓶处理与充装能力。",
    capabilities=("气体纯化", "钢瓶处理"),
    products=("三氟化氮", "六氟化钨"),
    certifications=("ISO 9001",),
    regions=("上海",),
    open_to=("supply_chain",),
)
GASES = SegmentHit(
    segment_id="ic.electronic_gases",
    name="电子特气",
    name_en="Electronic specialty gases",
    chain="集成电路",
    chain_en="Integrated circuits",
    confidence=0.8,
    terms=("电子特气",),
    chosen=False,
)


def messages(draft: Draft, segments: list[SegmentHit]) -> list[str]:
    return [item.message for item in advice.advice(draft, segments)]


@pytest.fixture(scope="module")
def assigner() -> SegmentAssigner:
    graph = default_chain_graph()
    return SegmentAssigner(graph, Analyzer(dictionary_terms(graph)))


def test_complete_profile_needs_no_advice() -> None:
    assert advice.advice(COMPLETE, [GASES]) == []


def test_empty_profile_gets_every_basic_advice() -> None:
    assert messages(Draft(), []) == [
        advice.NO_SEGMENT,
        advice.SHORT_SUMMARY_TEXT,
        advice.NO_PRODUCTS,
        advice.NO_CAPABILITIES,
        advice.NO_CERTIFICATION,
        advice.NOT_OPEN,
        advice.NO_REGION,
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"certifications": ()}, advice.NO_CERTIFICATION),
        ({"products": ()}, advice.NO_PRODUCTS),
        ({"capabilities": ()}, advice.NO_CAPABILITIES),
        ({"open_to": ()}, advice.NOT_OPEN),
        ({"regions": ()}, advice.NO_REGION),
        ({"open_to": ("investment",)}, advice.NO_FUNDING_STAGE),
    ],
)
def test_missing_field_gets_its_advice(change: dict[str, object], expected: str) -> None:
    draft = replace(COMPLETE, **change)
    assert messages(draft, [GASES]) == [expected]


def test_short_summary_advice_names_the_minimum() -> None:
    draft = replace(COMPLETE, summary="电子特气")
    assert advice.advice(draft, [GASES]) == [
        Advice(advice.SHORT_SUMMARY_TEXT, {"count": advice.SHORT_SUMMARY})
    ]


def test_uncertain_segments_get_advice() -> None:
    unsure = replace(GASES, confidence=0.3)
    assert messages(COMPLETE, [unsure]) == [advice.UNSURE_SEGMENT]


def test_buyer_and_distributor_wording_get_advice() -> None:
    summary = COMPLETE.summary + "同时作为海外品牌一级代理经销，并需要采购钢瓶。"
    draft = replace(COMPLETE, summary=summary)
    assert messages(draft, [GASES]) == [advice.READS_AS_BUYER, advice.READS_AS_DISTRIBUTOR]


def test_gas_profile_maps_to_electronic_gases(assigner: SegmentAssigner) -> None:
    found = advice.segments_of(COMPLETE, assigner)
    assert found[0].segment_id == "ic.electronic_gases"
    assert (found[0].name, found[0].chain_en, found[0].chosen) == (
        "电子特气",
        "Integrated circuits",
        False,
    )
    assert found[0].confidence > 0.5


def test_vague_text_maps_to_no_segment(assigner: SegmentAssigner) -> None:
    preview = advice.preview(Draft(title="我们是一家公司", summary="欢迎合作"), assigner)
    assert preview.segments == []
    assert preview.advice[0] == Advice(advice.NO_SEGMENT)


def test_chosen_segment_is_certain_and_marked(assigner: SegmentAssigner) -> None:
    draft = replace(COMPLETE, segments=("ic.wet_chemicals",))
    found = advice.segments_of(draft, assigner)
    assert (found[0].segment_id, found[0].confidence, found[0].chosen) == (
        "ic.wet_chemicals",
        1.0,
        True,
    )
    assert "ic.electronic_gases" in [hit.segment_id for hit in found]
