"""Ranked match results come from the cache until any record changes; with Redis, one
app process's result serves the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import page_login
from fastapi.testclient import TestClient
from services import redis_url, unique_prefix
from sqlalchemy.orm import Session

from matchmaker.changes import service as changes
from matchmaker.config import load_settings
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.main import create_app


class Counting:
    """Wraps MatchingService.match (or another method), counting the rankings computed."""

    def __init__(self, app: Any, method: str = "match") -> None:
        self.calls = 0
        self.inner = getattr(app.state.matching, method)
        setattr(app.state.matching, method, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.inner(*args, **kwargs)


@pytest.fixture
def scene(make: Any) -> dict[str, Any]:
    firm = make.enterprise(EnterpriseSize.LARGE)
    need = make.need(firm, title="电子特气本地化供应", description="需要NF3电子特气")
    make.profile(make.enterprise(), title="电子特气提纯", summary="NF3电子特种气体纯化")
    return {"url": f"/api/v1/needs/{need.id}/matches", "headers": make.token_headers(
        make.user(Role.ADMIN))}  # fmt: skip


def test_results_are_cached_until_a_record_changes(
    app: Any, client: TestClient, db: Session, scene: dict[str, Any]
) -> None:
    counting = Counting(app)
    first = client.get(scene["url"], headers=scene["headers"])
    second = client.get(scene["url"], headers=scene["headers"])
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert counting.calls == 1
    changes.record(db, "profiles", ["prof-unrelated"])  # any write moves the key
    db.commit()
    assert client.get(scene["url"], headers=scene["headers"]).json() == first.json()
    assert counting.calls == 2


def test_candidate_recommendation_and_dashboard_pages_rank_once_until_a_record_changes(
    app: Any, client: TestClient, db: Session, make: Any
) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE)
    need = make.need(firm, title="电子特气本地化供应", description="需要NF3电子特气")
    sme = make.enterprise()
    profile = make.profile(sme, title="电子特气提纯", summary="NF3电子特种气体纯化")
    ranked = {"match": Counting(app), "recommend": Counting(app, "recommend")}
    firm_user, sme_user = make.user(Role.FIRM, firm), make.user(Role.SME, sme)
    pages = [
        (firm_user, f"/needs/{need.id}/candidates"),
        (firm_user, "/dashboard"),
        (sme_user, "/recommendations"),
        (sme_user, "/dashboard"),
    ]
    for user, url in pages:
        page_login(client, user.email)
        first, second = client.get(url), client.get(url)
        assert first.status_code == second.status_code == 200
        assert "电子特气" in first.text
    # One ranking per page (each asks for a different number of results), none repeated.
    assert (ranked["match"].calls, ranked["recommend"].calls) == (2, 2)
    changes.record(db, "profiles", [profile.id])
    db.commit()
    for user, url in pages:
        page_login(client, user.email)
        assert client.get(url).status_code == 200
    assert (ranked["match"].calls, ranked["recommend"].calls) == (4, 4)


def test_a_zero_ttl_turns_the_cache_off(
    tmp_path: Path, database_url: str | None, make: Any
) -> None:
    extra: dict[str, Any] = {"database_url": database_url} if database_url else {}
    app = create_app(load_settings(data_dir=tmp_path / "d2", result_cache_seconds=0, **extra))
    try:
        with app.state.database.session() as db:
            from conftest import Factory

            other = Factory(db)
            need = other.need(other.enterprise(EnterpriseSize.LARGE), title="封装测试合作")
            headers = other.token_headers(other.user(Role.ADMIN))
        counting = Counting(app)
        with TestClient(app) as client:
            for _ in range(2):
                assert (
                    client.get(f"/api/v1/needs/{need.id}/matches", headers=headers).status_code
                    == 200
                )
        assert counting.calls == 2
    finally:
        app.state.database.dispose()


def test_with_redis_one_process_serves_anothers_result(
    tmp_path: Path, database_url: str | None, scene: dict[str, Any], settings: Any
) -> None:
    # One installation: the same database, Redis and secret key on both processes.
    shared = {"redis_url": redis_url(), "database_url": settings.database_url,
              "secret_key": unique_prefix() + "x" * 32}  # fmt: skip
    first_app = create_app(load_settings(data_dir=tmp_path / "one", **shared))
    second_app = create_app(load_settings(data_dir=tmp_path / "two", **shared))
    try:
        first, second = Counting(first_app), Counting(second_app)
        with TestClient(first_app) as one, TestClient(second_app) as two:
            computed = one.get(scene["url"], headers=scene["headers"])
            served = two.get(scene["url"], headers=scene["headers"])
        assert computed.status_code == served.status_code == 200
        assert served.json() == computed.json()
        assert (first.calls, second.calls) == (1, 0)
    finally:
        first_app.state.database.dispose()
        second_app.state.database.dispose()


def test_installations_sharing_a_redis_do_not_share_results(
    tmp_path: Path, scene: dict[str, Any], settings: Any
) -> None:
    # Secrets unique per run: an earlier run (SQLite, then PostgreSQL in CI) against the
    # same Redis must not leave a cached result under the same key.
    common = {"redis_url": redis_url(), "database_url": settings.database_url}
    run = unique_prefix()
    first_app = create_app(
        load_settings(data_dir=tmp_path / "a", secret_key=run + "a" * 40, **common)
    )
    second_app = create_app(
        load_settings(data_dir=tmp_path / "b", secret_key=run + "b" * 40, **common)
    )
    try:
        first, second = Counting(first_app), Counting(second_app)
        with TestClient(first_app) as one, TestClient(second_app) as two:
            answers = [c.get(scene["url"], headers=scene["headers"]) for c in (one, two)]
        assert [a.status_code for a in answers] == [200, 200]
        assert (first.calls, second.calls) == (1, 1)
    finally:
        first_app.state.database.dispose()
        second_app.state.database.dispose()
