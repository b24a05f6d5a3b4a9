"""Explanations read the same in Chinese as before and have an English version."""

from __future__ import annotations

from matchmaker.matching.explain import Reason
from matchmaker.matching.wording import sentence

CHAIN = Reason(
    "chain",
    params={"relation": "supplier", "asked": "晶圆制造", "offered": "电子特气",
            "asked_en": "Wafer fabrication", "offered_en": "Electronic specialty gases",
            "chain": "集成电路", "chain_en": "Integrated circuits"},
)  # fmt: skip


def test_chinese_sentences() -> None:
    assert sentence(CHAIN) == "产业链：电子特气 → 晶圆制造：上游直接供应"
    assert sentence(Reason("certs_missing", ("IATF 16949", "ISO 9001"))) == (
        "缺少所需认证：IATF 16949、ISO 9001"
    )
    assert sentence(Reason("type_open", params={"type": "supply_chain"})) == "愿意承接供应链类需求"


def test_english_sentences() -> None:
    assert sentence(CHAIN, "en") == (
        "Chain: Electronic specialty gases → Wafer fabrication: direct upstream supplier"
    )
    funding = Reason("funding", params={"stage": "A轮", "verdict": "early"})
    assert sentence(funding, "en") == "Funding stage: A轮 (fits early-stage investment)"
    assert sentence(Reason("region_miss", ("上海", "苏州")), "en") == (
        "Outside the preferred region: 上海, 苏州"
    )


def test_every_kind_has_both_languages() -> None:
    from matchmaker.matching.wording import SENTENCES

    assert set(SENTENCES["zh"]) == set(SENTENCES["en"])
