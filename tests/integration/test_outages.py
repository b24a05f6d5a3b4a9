"""Outages of real servers under a running app: each test owns its Redis or OpenSearch,
stops it, checks the app stays up and loses nothing, starts it again and checks that
service comes back by itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import Factory
from fastapi.testclient import TestClient
from servers import OpenSearchNode, RedisServer

from matchmaker.config import load_settings
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.main import create_app

ZH = {"Accept-Language": "zh-CN"}


def eventually(check: Callable[[], bool], timeout: float = 90.0) -> None:
    """Wait for recovery: the breaker tries the engine again after a cool-down."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not recovered within {timeout:.0f} s")
        time.sleep(0.5)


@pytest.fixture
def opensearch(tmp_path: Path) -> Iterator[OpenSearchNode]:
    node = OpenSearchNode(tmp_path / "opensearch").start()
    yield node
    node.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def app_on(tmp_path: Path, database_url: str | None, **settings: Any) -> Any:
    extra: dict[str, Any] = {"database_url": database_url} if database_url else {}
    return create_app(load_settings(data_dir=tmp_path / "data", **extra, **settings))


def seed(app: Any) -> dict[str, Any]:
    with app.state.database.session() as db:
        make = Factory(db)
        firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路股份有限公司")
        need = make.need(firm, title="电子特气本地化供应", description="需要NF3电子特气")
        make.profile(make.enterprise(), title="电子特气提纯", summary="NF3电子特种气体纯化")
        make.profile(make.enterprise(), title="电池管理系统", summary="BMS主动均衡")
        admin = make.user(Role.ADMIN)
        return {"need": need.id, "headers": make.token_headers(admin)}


def search(client: TestClient, text: str) -> httpx.Response:
    return client.get("/needs", params={"q": text}, headers=ZH)


def test_search_engine_outage_degrades_loses_nothing_and_recovers(
    tmp_path: Path, database_url: str | None, opensearch: OpenSearchNode
) -> None:
    app = app_on(tmp_path, database_url, search_url=opensearch.url)
    scene = seed(app)
    matches = f"/api/v1/needs/{scene['need']}/matches"
    with TestClient(app) as client:
        assert "电子特气本地化供应" in search(client, "特气").text
        before = client.get(matches, headers=scene["headers"]).json()["matches"]

        opensearch.kill()

        down = search(client, "特气")
        assert down.status_code == 503
        assert "搜索服务暂时不可用" in down.text
        assert int(down.headers["Retry-After"]) > 0
        # A write during the outage succeeds: it waits in the change log.
        renamed = client.patch(
            f"/api/v1/needs/{scene['need']}",
            json={"title": "高纯电子特气国产化供应"},
            headers=scene["headers"],
        )
        assert renamed.status_code == 200, renamed.text
        # Matching falls back to the in-process index: same ranking, no error.
        during = client.get(matches, headers=scene["headers"])
        assert during.status_code == 200
        assert [m["profile_id"] for m in during.json()["matches"]] == [
            m["profile_id"] for m in before
        ]
        ready = client.get("/readyz").json()
        assert ready == {"status": "degraded", "checks": {"database": "ok", "search": "down"}}

        opensearch.restart()

        eventually(lambda: search(client, "国产化").status_code == 200)
        assert "高纯电子特气国产化供应" in search(client, "国产化").text
        assert "电子特气本地化供应" not in search(client, "本地化").text
        assert client.get("/readyz").json()["status"] == "ok"
    app.state.database.dispose()


def test_redis_outage_keeps_logins_and_matching_up_and_recovers(
    tmp_path: Path, database_url: str | None, redis_server: RedisServer
) -> None:
    app = app_on(tmp_path, database_url, redis_url=redis_server.url, login_limit=3)
    scene = seed(app)
    with app.state.database.session() as db:
        member = Factory(db).user(Role.SME)
        email = member.email

    def wrong_login(client: TestClient) -> int:
        body = {"email": email, "password": "not-the-password-1"}
        return client.post("/api/v1/auth/login", json=body).status_code

    matches = f"/api/v1/needs/{scene['need']}/matches"
    with TestClient(app) as client:
        assert [wrong_login(client) for _ in range(4)] == [401, 401, 401, 429]

        redis_server.stop()

        # Rate limits fail open (logged), the cache misses, the pages and API stay up.
        assert wrong_login(client) == 401
        assert client.get("/login").status_code == 200
        assert client.get(matches, headers=scene["headers"]).status_code == 200
        probe = client.get("/readyz")
        assert probe.status_code == 503
        assert probe.json()["checks"]["redis"] == "down"

        redis_server.start()

        assert client.get("/readyz").status_code == 200
        # The limiter counts again: the restarted Redis holds no earlier attempts.
        assert [wrong_login(client) for _ in range(4)] == [401, 401, 401, 429]
        assert client.get(matches, headers=scene["headers"]).status_code == 200
    app.state.database.dispose()
