import pytest

from matchmaker.matching.assign import SegmentAssigner, cues, split_context
from matchmaker.matching.chain import default_chain_graph, dictionary_terms
from matchmaker.matching.text import Analyzer


@pytest.fixture(scope="module")
def assigner() -> SegmentAssigner:
    graph = default_chain_graph()
    return SegmentAssigner(graph, Analyzer(dictionary_terms(graph)))


@pytest.mark.parametrize(
    ("text", "segment"),
    [
        ("NF3、WF6等电子特种气体的纯化与充装", "ic.electronic_gases"),
        ("提供電子特氣純化與鋼瓶處理", "ic.electronic_gases"),
        ("ArF浸没式光刻胶及BARC", "ic.photoresist"),
        ("电池管理系统BMS软硬件开发，主动均衡", "nev.bms"),
    ],
)
def test_texts_land_on_their_segment_first(
    assigner: SegmentAssigner, text: str, segment: str
) -> None:
    assigned = assigner.assign([(text, 1.0)], offered=True)
    assert assigned[0].segment_id == segment
    assert 0 < assigned[0].confidence < 1


def test_customer_context_counts_less_than_the_offer(assigner: SegmentAssigner) -> None:
    assigned = assigner.assign(
        [("为12英寸晶圆厂提供电子特气，客户包括国内晶圆厂", 1.0)], offered=True
    )
    confidence = {score.segment_id: score.confidence for score in assigned}
    assert confidence["ic.electronic_gases"] > confidence.get("ic.wafer_fab", 0.0)


def test_a_posters_own_segment_yields_to_what_it_asks(assigner: SegmentAssigner) -> None:
    text = [("12英寸晶圆厂电子特气本地化供应", 2.0), ("晶圆厂扩产，需要电子特气供应商", 1.0)]
    plain = {s.segment_id: s.confidence for s in assigner.assign(text, offered=False)}
    own = {
        s.segment_id: s.confidence
        for s in assigner.assign(text, offered=False, own_segments=["ic.wafer_fab"])
    }
    assert own.get("ic.wafer_fab", 0.0) < plain["ic.wafer_fab"]
    assert max(own, key=lambda k: own[k]) == "ic.electronic_gases"


def test_split_context_separates_customers() -> None:
    offered, served = split_context("为整车厂提供bms，客户包括头部车企")
    assert "bms" in offered and "整车厂" not in offered
    assert "整车厂" in served and "头部车企" in served


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("公司每年采购大量电子特气用于自用产线", "", (True, False, False)),
        ("我司为某品牌华东一级代理，常备现货", "", (False, True, False)),
        ("专注早期股权投资", "半导体早期投资基金", (False, False, True)),
        ("自研SiC外延片并量产", "SiC外延片", (False, False, False)),
    ],
)
def test_cues_tell_buyers_resellers_and_investors(
    text: str, title: str, expected: tuple[bool, bool, bool]
) -> None:
    found = cues(text, title)
    assert (found.buyer, found.distributor, found.investor) == expected
