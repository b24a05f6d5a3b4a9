import pytest

from matchmaker.matching.assign import SegmentAssigner
from matchmaker.matching.chain import default_chain_graph, dictionary_terms
from matchmaker.matching.text import Analyzer, char_ngrams, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("封裝測試", "封装测试"),
        ("晶圓製造與電池管理系統", "晶圆制造与电池管理系统"),
        ("ＳｉＣ　ＭＯＳＦＥＴ", "sic mosfet"),
        ("SiC", "sic"),
        ("ＩＡＴＦ１６９４９，車規級", "iatf16949,车规级"),
        ("  多个   空格 ", "多个 空格"),
    ],
)
def test_normalise_folds_width_script_and_case(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_traditional_and_simplified_texts_analyse_alike() -> None:
    graph = default_chain_graph()
    assigner = SegmentAssigner(graph, Analyzer(dictionary_terms(graph)))
    simplified = assigner.analyse("提供封装测试与电子特气", offered=True).tokens()
    traditional = assigner.analyse("提供封裝測試與電子特氣", offered=True).tokens()
    assert simplified == traditional
    assert "w:封装测试" in simplified and "w:电子特气" in simplified


def test_domain_dictionary_keeps_terms_whole() -> None:
    analyzer = Analyzer(["碳化硅外延"])
    assert "碳化硅外延" in analyzer.words(normalise("公司专注碳化硅外延片量产"))


def test_char_ngrams_let_unknown_terms_match() -> None:
    assert char_ngrams("氮化镓hemt") == ["氮化", "化镓", "hemt"]
    assert char_ngrams("镓") == ["镓"]


def test_latin_terms_match_whole_not_inside_longer_words() -> None:
    analyzer = Analyzer(["dr", "sic"])
    words = analyzer.words(normalise("多相降壓控制器與DrMOS電源晶片，SiC衬底"))
    assert "drmos" in words and "dr" not in words
    assert "sic" in words
