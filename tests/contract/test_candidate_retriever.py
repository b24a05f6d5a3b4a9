"""The CandidateRetriever contract; every retriever implementation must pass this suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from services import drop_aliased, search_url, unique_alias

from matchmaker.matching.chain import default_chain_graph
from matchmaker.matching.documents import need_doc, profile_doc
from matchmaker.matching.engine import Engine
from matchmaker.matching.ranker import Ranker
from matchmaker.matching.retrieval import CandidateRetriever, InMemoryRetriever
from matchmaker.searchengine.adapters import connect
from matchmaker.searchengine.profiles import EngineRetriever

ENTERPRISE = {"district": "浦东新区", "city": "上海市", "tags": []}
PROFILES = [
    ("p-gas", "电子特气提纯", "NF3与WF6电子特种气体纯化充装"),
    ("p-resist", "KrF光刻胶", "248nm光刻胶量产"),
    ("p-bms", "电池管理系统", "BMS主动均衡方案"),
    ("p-cosmetic", "护肤品ODM", "面膜与精华代工"),
] + [(f"p-bg-{i}", f"工业设计服务{i}", "产品外观与结构设计") for i in range(20)]


def build_engine() -> Engine:
    engine = Engine(default_chain_graph(), Ranker())
    profiles = [
        profile_doc(
            {"id": pid, "enterprise_id": f"e-{pid}", "title": title, "summary": summary}, ENTERPRISE
        )
        for pid, title, summary in PROFILES
    ]
    needs = [
        need_doc({"id": "n-gas", "enterprise_id": "f", "type": "supply_chain", "title": "电子特气供应",
                  "description": "需要NF3电子特气"}),
        need_doc({"id": "n-bms", "enterprise_id": "f", "type": "technology", "title": "BMS联合开发",
                  "description": "电池管理系统算法"}),
    ]  # fmt: skip
    engine.build(profiles, needs, {})
    return engine


def memory(engine: Engine) -> Iterator[CandidateRetriever]:
    yield InMemoryRetriever(engine)


def search_engine(engine: Engine) -> Iterator[CandidateRetriever]:
    """The engine's profiles mirrored into a fresh index; removals reach it as the outbox
    would deliver them, through `deliver`."""
    url, alias = search_url(), unique_alias("profiles")
    retriever = EngineRetriever(engine, connect(url), alias)
    retriever.rebuild()
    yield retriever
    drop_aliased(url, alias)


# Each factory yields a retriever over the engine and cleans up after the test.
RETRIEVERS: dict[str, Callable[[Engine], Iterator[CandidateRetriever]]] = {
    "memory": memory,
    "engine": search_engine,
}


@pytest.fixture(params=sorted(RETRIEVERS))
def setup(request: pytest.FixtureRequest) -> Iterator[tuple[Engine, CandidateRetriever]]:
    engine = build_engine()
    for retriever in RETRIEVERS[request.param](engine):
        yield engine, retriever


def test_returns_at_most_count_distinct_indexed_profiles(
    setup: tuple[Engine, CandidateRetriever],
) -> None:
    engine, retriever = setup
    found = retriever.candidates("n-gas", 5)
    assert len(found) == len(set(found)) <= 5
    assert set(found) <= set(engine.profiles.docs)


def test_the_fitting_profile_is_among_candidates(setup: tuple[Engine, CandidateRetriever]) -> None:
    _engine, retriever = setup
    assert "p-gas" in retriever.candidates("n-gas", 3)
    assert "p-bms" in retriever.candidates("n-bms", 3)


def test_removed_profiles_never_come_back(setup: tuple[Engine, CandidateRetriever]) -> None:
    engine, retriever = setup
    engine.remove_profiles(["p-gas"])
    assert "p-gas" not in retriever.candidates("n-gas", 100)


def test_unknown_need_is_a_key_error(setup: tuple[Engine, CandidateRetriever]) -> None:
    _engine, retriever = setup
    with pytest.raises(KeyError):
        retriever.candidates("n-missing", 5)
