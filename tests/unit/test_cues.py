"""Distributor cues: reselling counts, professional agency services do not."""

from __future__ import annotations

import pytest

from matchmaker.matching.assign import cues


@pytest.mark.parametrize(
    "text",
    ["国内一级代理，经销进口传感器", "我们是该品牌华东区代理商", "从事电子元器件贸易与分销"],
)
def test_resellers_are_flagged(text: str) -> None:
    assert cues(text).distributor


@pytest.mark.parametrize(
    "text",
    [
        "专利代理机构，提供发明专利撰写与申请",
        "商标代理与知识产权布局",
        "医疗器械注册代理与申报",
        "代理记账与税务筹划",
    ],
)
def test_agency_services_are_not_resellers(text: str) -> None:
    assert not cues(text).distributor
