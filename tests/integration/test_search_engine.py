"""The app on a real search engine (OpenSearch in CI): need search, the outbox delivery of
writes, alias swaps on rebuild, and matching through engine-retrieved candidates."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from services import drop_aliased, search_url, unique_alias
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.changes import service as changes
from matchmaker.changes.models import DeliveryCursor
from matchmaker.config import Settings, load_settings
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.indexing import rebuild_all
from matchmaker.main import create_app
from matchmaker.matching.service import MatchingService
from matchmaker.search.base import NeedQuery
from matchmaker.searchengine.adapters import connect
from matchmaker.searchengine.backends import (
    matching_service_for,
    needs_alias,
    profiles_alias,
    search_service_for,
)
from matchmaker.searchengine.guard import FallbackRetriever


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Iterator[Settings]:
    """The app of every test here (conftest's `app`, `client`, `db`, `make`) runs on the
    search engine, under index names of its own."""
    url = search_url()
    prefix = unique_alias("app")
    extra: dict[str, Any] = {"database_url": database_url} if database_url else {}
    # No background worker: these tests deliver by hand and check each step.
    extra["embedded_worker"] = False
    yield load_settings(data_dir=tmp_path / "data", search_url=url, search_prefix=prefix, **extra)
    for alias in (f"{prefix}-needs", f"{prefix}-profiles"):
        drop_aliased(url, alias)


@pytest.fixture
def scene(make: Any) -> dict[str, Any]:
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路股份有限公司")
    sme = make.enterprise(name="上海氟源电子材料有限公司")
    bms = make.enterprise(name="上海均衡电控科技有限公司")
    return {
        "firm": firm,
        "admin": make.user(Role.ADMIN),
        "need": make.need(firm, title="电子特气本地化供应", description="需要NF3电子特气，纯度6N"),
        "other": make.need(firm, title="先进封装测试产能合作", description="SiC功率器件封装"),
        "gas": make.profile(sme, title="电子特气提纯", summary="NF3与WF6电子特种气体纯化充装"),
        "bms": make.profile(bms, title="电池管理系统", summary="BMS主动均衡方案"),
        "make": make,
    }


def titles(client: TestClient, text: str) -> str:
    response = client.get("/needs", params={"q": text})
    assert response.status_code == 200
    return response.text


def test_search_page_reads_from_the_engine(
    client: TestClient, db: Session, settings: Settings, scene: dict[str, Any]
) -> None:
    page = titles(client, "電子特氣")  # Traditional finds Simplified
    assert "电子特气本地化供应" in page
    assert "先进封装测试产能合作" not in page
    alias = needs_alias(settings)
    client = connect(settings.search_url or "")
    assert client.alias_targets(alias), "the need index sits behind its alias"
    assert client.count(alias) == 2
    assert changes.cursor(db, alias) == changes.latest(db)


def test_api_writes_reach_the_engine_through_the_change_log(
    client: TestClient, db: Session, settings: Settings, scene: dict[str, Any]
) -> None:
    headers = scene["make"].token_headers(scene["admin"])
    titles(client, "封装")  # first search builds the index
    need_id = scene["other"].id
    response = client.patch(
        f"/api/v1/needs/{need_id}", json={"title": "碳化硅模块封装验证"}, headers=headers
    )
    assert response.status_code == 200, response.text
    cursor_before = changes.cursor(db, needs_alias(settings))
    assert cursor_before is not None and cursor_before < changes.latest(db)
    assert "碳化硅模块封装验证" in titles(client, "碳化硅")
    db.expire_all()
    assert changes.cursor(db, needs_alias(settings)) == changes.latest(db)
    assert client.delete(f"/api/v1/needs/{need_id}", headers=headers).status_code == 204
    assert "碳化硅模块封装验证" not in titles(client, "碳化硅")


def test_rebuild_swaps_the_alias_to_a_new_index_and_drops_the_old(
    db: Session, settings: Settings, scene: dict[str, Any]
) -> None:
    client = connect(settings.search_url or "")
    first = rebuild_all(db, settings)
    assert (first.engine_needs, first.engine_profiles) == (2, 2)
    before = {
        alias: client.alias_targets(alias)
        for alias in (needs_alias(settings), profiles_alias(settings))
    }
    rebuild_all(db, settings)
    for alias, old in before.items():
        new = client.alias_targets(alias)
        assert len(new) == 1 and new != old
        assert client.count(alias) == 2
        for index in old:  # the old index is gone, not just unaliased
            assert client.alias_targets(index) == []
    cursors = dict(db.execute(select(DeliveryCursor.name, DeliveryCursor.seq)).all())
    latest = changes.latest(db)
    assert cursors == {
        needs_alias(settings): latest,
        profiles_alias(settings): latest,
    }


def test_matching_through_the_engine_ranks_as_the_embedded_path(
    db: Session, settings: Settings, scene: dict[str, Any], tmp_path: Path
) -> None:
    on_engine = matching_service_for(settings)
    on_engine.deliver(db)  # the first delivery builds the profile index
    assert isinstance(on_engine.engine(db).retriever, FallbackRetriever)
    embedded = MatchingService(tmp_path / "embedded")
    need_id = scene["need"].id
    through_engine = on_engine.match(db, need_id, 5)
    in_process = embedded.match(db, need_id, 5)
    assert [m.profile_id for m in through_engine] == [m.profile_id for m in in_process]
    assert through_engine[0].profile_id == scene["gas"].id
    assert [m.reasons for m in through_engine] == [m.reasons for m in in_process]
    assert on_engine.mirror is not None and on_engine.mirror.breaker.state == "ok"


def test_profile_changes_are_delivered_and_removals_deleted(
    db: Session, settings: Settings, scene: dict[str, Any]
) -> None:
    service = matching_service_for(settings)
    service.deliver(db)
    make = scene["make"]
    newcomer = make.profile(
        make.enterprise(name="上海特气新材料有限公司"), title="NF3电子特气", summary="电子特气"
    )
    changes.record(db, "profiles", [newcomer.id])
    db.commit()
    assert service.deliver(db) == 1
    client = connect(settings.search_url or "")
    alias = profiles_alias(settings)
    assert client.count(alias) == 3
    assert newcomer.id in service.engine(db).candidates(scene["need"].id, 10)
    db.delete(newcomer)
    changes.record(db, "profiles", [newcomer.id])
    db.commit()
    service.deliver(db)
    assert client.count(alias) == 2


def test_need_search_service_uses_the_shared_cursor(
    db: Session, settings: Settings, scene: dict[str, Any]
) -> None:
    """A second process (a new service) finds the index built and does not rebuild it."""
    first = search_service_for(settings)
    assert first.search(db, NeedQuery(text="特气")).total == 1
    client = connect(settings.search_url or "")
    built = client.alias_targets(needs_alias(settings))
    second = search_service_for(settings)
    assert second.search(db, NeedQuery(text="特气")).total == 1
    assert client.alias_targets(needs_alias(settings)) == built


def test_search_api_runs_on_the_engine_with_facets(
    client: TestClient, settings: Settings, scene: dict[str, Any]
) -> None:
    body = client.get("/api/v1/search/needs", params={"q": "特气"}).json()
    assert [item["id"] for item in body["items"]] == [scene["need"].id]
    assert body["facets"]["types"] == {"supply_chain": 1}
    client = connect(settings.search_url or "")
    assert client.count(needs_alias(settings)) == 2


def test_the_app_delivers_profile_changes_by_itself(
    settings: Settings, scene: dict[str, Any]
) -> None:
    """With its own job worker (no Redis) the app also runs the delivery loop."""
    application = create_app(settings.model_copy(update={"embedded_worker": True}))
    client = connect(settings.search_url or "")
    alias = profiles_alias(settings)
    try:
        with TestClient(application), application.state.database.session() as db:
            wait_until(lambda: bool(client.alias_targets(alias)) and client.count(alias) == 2)
            make = scene["make"]
            added = make.profile(make.enterprise(), title="WF6电子特气", summary="电子特气充装")
            changes.record(db, "profiles", [added.id])
            db.commit()
            wait_until(lambda: client.count(alias) == 3)
    finally:
        application.state.database.dispose()


def wait_until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the delivery loop did not deliver in time"
        time.sleep(0.2)
