"""The NeedSearch contract; every search backend must pass this suite.

A new backend joins by adding a factory to BACKENDS (a server-backed one may skip itself
when its server is not configured).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from services import drop_aliased, search_url, unique_alias

from matchmaker.fields import NeedStatus, NeedType
from matchmaker.search.base import (
    BudgetRange,
    NeedDocument,
    NeedQuery,
    NeedSearch,
    Sort,
    public_document,
)
from matchmaker.search.memory import MemoryNeedSearch
from matchmaker.searchengine.adapters import connect
from matchmaker.searchengine.needs import EngineNeedSearch


def opensearch() -> Iterator[NeedSearch]:
    url, alias = search_url(), unique_alias("needs")
    yield EngineNeedSearch(connect(url), alias)
    drop_aliased(url, alias)


def memory() -> Iterator[NeedSearch]:
    yield MemoryNeedSearch()


# Each factory yields a fresh, empty backend and cleans up after the test.
BACKENDS: dict[str, Callable[[], Iterator[NeedSearch]]] = {
    "memory": memory,
    "engine": opensearch,
}
TODAY = dt.date(2026, 12, 1)
START = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def document(
    n: int,
    title: str,
    description: str = "详见附件",
    *,
    type: NeedType = NeedType.TECHNOLOGY,
    district: str = "浦东新区",
    chains: tuple[str, ...] = ("ic",),
    **fields: Any,
) -> NeedDocument:
    """Need n, posted n hours after START, so a higher n is newer."""
    record = {
        "id": f"need-{n:02d}",
        "enterprise_id": f"ent-{n}",
        "type": type,
        "status": NeedStatus.OPEN,
        "title": title,
        "description": description,
        "created_at": START + dt.timedelta(hours=n),
        **fields,
    }
    return public_document(
        record,
        enterprise_name=f"上海企业{n}",
        district=district,
        segments=tuple(f"{chain}.segment" for chain in chains),
        chains=chains,
    )


DOCUMENTS = [
    document(1, "先进封装测试产能合作", "寻找SiC功率器件封装测试伙伴", budget_min=100, budget_max=300,
             deadline=TODAY + dt.timedelta(days=5)),
    document(2, "电子特气本地化供应", "需要NF3、WF6电子特气", type=NeedType.SUPPLY_CHAIN,
             district="闵行区", chains=("materials", "ic"), budget_min=500,
             deadline=TODAY + dt.timedelta(days=20)),
    document(3, "DrMOS驱动芯片联合开发", "车规级DrMOS与栅极驱动", district="嘉定区",
             chains=("nev",), budget_max=40, deadline=TODAY + dt.timedelta(days=60)),
    document(4, "电池管理系统算法", "BMS主动均衡，要求具备封装经验", type=NeedType.SUPPLY_CHAIN,
             district="嘉定区", chains=("nev",)),
    document(5, "已关闭的封装需求", "封装测试", status=NeedStatus.CLOSED),
    document(6, "草稿：晶圆测试", "晶圆测试", status=NeedStatus.DRAFT),
    document(7, "芯片测试服务", "秘密工艺：氮化镓外延", confidential=True,
             public_summary="某晶圆厂寻找可靠性测试服务", requirements=["需具备蓝宝石衬底经验"],
             type=NeedType.SERVICE, chains=("services",), budget_min=50, budget_max=50),
]  # fmt: skip


@pytest.fixture(params=sorted(BACKENDS))
def search(request: pytest.FixtureRequest) -> Iterator[NeedSearch]:
    for backend in BACKENDS[request.param]():
        backend.index(DOCUMENTS)
        yield backend


def ids(search: NeedSearch, **query: Any) -> list[str]:
    return [hit.document.id for hit in search.search(NeedQuery(today=TODAY, **query)).hits]


# Text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["封装", "封裝", "SiC", "sic", "ＳＩＣ", "sIc 封裝測試", "  封装   测试  "],
)
def test_query_matches_after_normalising(search: NeedSearch, text: str) -> None:
    assert ids(search, text=text)[0] == "need-01"
    assert set(ids(search, text=text)) <= {"need-01", "need-04"}


def test_query_words_must_all_match(search: NeedSearch) -> None:
    assert ids(search, text="封装") == ["need-01", "need-04"]
    assert ids(search, text="封装 BMS") == ["need-04"]
    assert ids(search, text="封装 光刻胶") == []


def test_chinese_matches_as_substring_latin_as_whole_token(search: NeedSearch) -> None:
    assert ids(search, text="功率器件") == ["need-01"]
    assert ids(search, text="率器") == ["need-01"]
    assert ids(search, text="drmos") == ["need-03"]
    assert ids(search, text="dr") == []


def test_single_character_finds_it_anywhere(search: NeedSearch) -> None:
    assert ids(search, text="栅") == ["need-03"]
    assert ids(search, text="鑫") == []


def test_title_match_ranks_above_body_match(search: NeedSearch) -> None:
    results = search.search(NeedQuery(text="电池 封装", today=TODAY))
    assert [hit.document.id for hit in results.hits] == ["need-04"]
    ranked = ids(search, text="封装")
    assert ranked == ["need-01", "need-04"]  # in need-01's title, only in need-04's body
    scores = [hit.score for hit in search.search(NeedQuery(text="封装", today=TODAY)).hits]
    assert scores[0] > scores[1] > 0


@pytest.mark.parametrize("text", ["", "   ", "，。！"])
def test_no_words_matches_every_open_need_newest_first(search: NeedSearch, text: str) -> None:
    assert ids(search, text=text) == ["need-07", "need-04", "need-03", "need-02", "need-01"]
    assert {hit.score for hit in search.search(NeedQuery(text=text)).hits} == {0.0}


def test_only_open_needs_unless_asked(search: NeedSearch) -> None:
    assert ids(search, text="封装 测试") == ["need-01"]
    closed = ids(search, text="封装 测试", statuses=frozenset({NeedStatus.CLOSED}))
    assert closed == ["need-05"]
    every = ids(search, text="测试", statuses=frozenset())
    assert set(every) == {"need-01", "need-05", "need-06", "need-07"}


# Confidential needs ----------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", ["氮化镓", "秘密工艺", "蓝宝石"])
def test_confidential_hidden_text_is_not_searchable(search: NeedSearch, hidden: str) -> None:
    assert ids(search, text=hidden) == []


def test_confidential_title_and_public_summary_are_searchable(search: NeedSearch) -> None:
    assert ids(search, text="芯片测试") == ["need-07"]
    hits = search.search(NeedQuery(text="可靠性", today=TODAY)).hits
    assert [hit.document.id for hit in hits] == ["need-07"]
    shown = hits[0].document
    assert (shown.summary, shown.requirements) == ("某晶圆厂寻找可靠性测试服务", ())


# Filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"types": frozenset({NeedType.SUPPLY_CHAIN})}, ["need-04", "need-02"]),
        ({"types": frozenset({NeedType.SERVICE, NeedType.SUPPLY_CHAIN})},
         ["need-07", "need-04", "need-02"]),
        ({"chains": frozenset({"ic"})}, ["need-02", "need-01"]),
        ({"chains": frozenset({"materials", "services"})}, ["need-07", "need-02"]),
        ({"districts": frozenset({"嘉定区"})}, ["need-04", "need-03"]),
        ({"districts": frozenset({"嘉定区", "闵行区"}), "types": frozenset({NeedType.TECHNOLOGY})},
         ["need-03"]),
        ({"chains": frozenset({"unknown"})}, []),
        ({"text": "封装", "districts": frozenset({"嘉定区"})}, ["need-04"]),
    ],
)  # fmt: skip
def test_filters_by_type_chain_district(
    search: NeedSearch, query: dict[str, Any], expected: list[str]
) -> None:
    assert ids(search, **query) == expected


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        (BudgetRange(None, 50), ["need-03"]),  # half-open: need-07's exact 50 is not below 50
        (BudgetRange(50, 200), ["need-07", "need-01"]),
        (BudgetRange(200, 1000), ["need-02", "need-01"]),  # need-02 has no upper bound
        (BudgetRange(10_000, None), ["need-02"]),
        (BudgetRange(301, 499), []),
    ],
)
def test_budget_filter_matches_overlapping_ranges(
    search: NeedSearch, budget: BudgetRange, expected: list[str]
) -> None:
    assert ids(search, budget=budget) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"deadline_by": TODAY + dt.timedelta(days=20)}, ["need-02", "need-01"]),
        ({"deadline_by": TODAY + dt.timedelta(days=4)}, []),
        ({"deadline_within": 7}, ["need-01"]),
        ({"deadline_within": 60}, ["need-03", "need-02", "need-01"]),
        ({"deadline_within": 60, "deadline_by": TODAY + dt.timedelta(days=10)}, ["need-01"]),
    ],
)
def test_deadline_filter_before_a_day_or_within_days(
    search: NeedSearch, query: dict[str, Any], expected: list[str]
) -> None:
    assert ids(search, **query) == expected


def test_sort_by_deadline_puts_needs_without_one_last(search: NeedSearch) -> None:
    assert ids(search, sort=Sort.DEADLINE) == [
        "need-01",
        "need-02",
        "need-03",
        "need-07",
        "need-04",
    ]


# Facets ----------------------------------------------------------------------------------------


def test_facets_count_every_value_without_filters(search: NeedSearch) -> None:
    facets = search.search(NeedQuery(today=TODAY)).facets
    assert facets.types == {
        NeedType.SUPPLY_CHAIN: 2,
        NeedType.TECHNOLOGY: 2,
        NeedType.SERVICE: 1,
    }
    assert facets.chains == {"ic": 2, "nev": 2, "materials": 1, "services": 1}
    assert facets.districts == {"嘉定区": 2, "浦东新区": 2, "闵行区": 1}
    assert list(facets.budgets.values()) == [1, 2, 2, 1]
    assert facets.deadlines == {7: 1, 30: 2, 90: 3}


def test_a_facet_ignores_its_own_filter_but_not_the_others(search: NeedSearch) -> None:
    results = search.search(
        NeedQuery(types=frozenset({NeedType.SUPPLY_CHAIN}), districts=frozenset({"嘉定区"}))
    )
    assert [hit.document.id for hit in results.hits] == ["need-04"]
    # Types counted within 嘉定区 only; districts counted within supply-chain needs only.
    assert results.facets.types == {NeedType.SUPPLY_CHAIN: 1, NeedType.TECHNOLOGY: 1}
    assert results.facets.districts == {"嘉定区": 1, "闵行区": 1}
    assert results.facets.chains == {"nev": 1}


def test_facets_follow_the_text_query(search: NeedSearch) -> None:
    facets = search.search(NeedQuery(text="封装", chains=frozenset({"nev"}), today=TODAY)).facets
    assert facets.chains == {"ic": 1, "nev": 1}
    assert facets.types == {NeedType.SUPPLY_CHAIN: 1}
    assert facets.budgets == dict.fromkeys(facets.budgets, 0)


def test_budget_and_deadline_facets_ignore_their_own_filters(search: NeedSearch) -> None:
    query = NeedQuery(budget=BudgetRange(200, 1000), deadline_within=7, today=TODAY)
    results = search.search(query)
    assert [hit.document.id for hit in results.hits] == ["need-01"]
    assert list(results.facets.budgets.values()) == [0, 1, 1, 0]  # within 7 days: need-01
    assert results.facets.deadlines == {7: 1, 30: 2, 90: 2}  # 200–1000: need-01, need-02


# Pagination --------------------------------------------------------------------------------------


def test_pages_do_not_overlap_and_cover_every_hit(search: NeedSearch) -> None:
    pages = [search.search(NeedQuery(page=page, per_page=2)) for page in (1, 2, 3, 4)]
    assert [[hit.document.id for hit in page.hits] for page in pages] == [
        ["need-07", "need-04"],
        ["need-03", "need-02"],
        ["need-01"],
        [],
    ]
    assert {(page.total, page.per_page) for page in pages} == {(5, 2)}
    assert [page.page for page in pages] == [1, 2, 3, 4]


def test_ties_break_by_newer_then_id(search: NeedSearch) -> None:
    same_time = [document(n, f"同时发布{n}", created_at=START) for n in (40, 41, 42)]
    search.update(same_time)
    found = ids(search, text="同时发布", per_page=2) + ids(
        search, text="同时发布", per_page=2, page=2
    )
    assert found == ["need-40", "need-41", "need-42"]


# Writes ----------------------------------------------------------------------------------------


def test_update_replaces_a_document(search: NeedSearch) -> None:
    search.update([document(1, "光刻胶验证", "KrF光刻胶", district="闵行区")])
    assert ids(search, text="封装 测试") == []
    assert ids(search, text="光刻胶") == ["need-01"]
    assert search.search(NeedQuery()).facets.districts == {"闵行区": 2, "嘉定区": 2, "浦东新区": 1}
    assert len(search) == len(DOCUMENTS)


def test_update_can_close_a_need(search: NeedSearch) -> None:
    closed = document(2, "电子特气本地化供应", status=NeedStatus.CLOSED)
    search.update([closed])
    assert ids(search, text="电子特气") == []


def test_removed_needs_are_not_found(search: NeedSearch) -> None:
    search.remove(["need-01", "need-unknown"])
    assert ids(search, text="封装") == ["need-04"]
    assert search.search(NeedQuery()).facets.chains == {
        "nev": 2,
        "ic": 1,
        "materials": 1,
        "services": 1,
    }
    assert len(search) == len(DOCUMENTS) - 1


def test_index_replaces_everything(search: NeedSearch) -> None:
    search.index([document(9, "唯一的需求")])
    assert ids(search) == ["need-09"]
    assert len(search) == 1


def test_many_updates_keep_results_right(search: NeedSearch) -> None:
    for round_ in range(3):
        search.update(document(n, f"第{round_}轮需求{n}") for n in range(10, 1510))
    assert search.search(NeedQuery(text="第2轮")).total == 1500
    assert search.search(NeedQuery(text="第1轮")).total == 0
    assert ids(search, text="第2轮需求1509") == ["need-1509"]
    search.remove(f"need-{n:02d}" for n in range(10, 1510))
    assert ids(search, text="封装") == ["need-01", "need-04"]
    assert len(search) == len(DOCUMENTS)
