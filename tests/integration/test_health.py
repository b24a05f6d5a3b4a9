"""Liveness and readiness probes: /healthz and /readyz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from services import redis_url, search_url

from matchmaker.config import load_settings
from matchmaker.db import Database
from matchmaker.main import create_app

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _probe(tmp_path: Path, path: str, **settings: Any) -> tuple[int, Any]:
    app = create_app(load_settings(data_dir=tmp_path / "data", **settings))
    try:
        with TestClient(app) as client:
            response = client.get(path)
            return response.status_code, response.json()
    finally:
        app.state.database.dispose()


def test_healthz_is_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_healthz_is_ok_even_when_redis_is_down(tmp_path: Path) -> None:
    assert _probe(tmp_path, "/healthz", redis_url=UNREACHABLE_REDIS) == (200, {"status": "ok"})


def test_readyz_checks_the_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_is_503_naming_redis_when_it_is_down(tmp_path: Path) -> None:
    assert _probe(tmp_path, "/readyz", redis_url=UNREACHABLE_REDIS) == (
        503,
        {"status": "unavailable", "checks": {"database": "ok", "redis": "down"}},
    )


def test_readyz_pings_a_configured_redis(tmp_path: Path) -> None:
    assert _probe(tmp_path, "/readyz", redis_url=redis_url()) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "redis": "ok"}},
    )


def test_readyz_is_503_when_the_database_is_down(client: TestClient, app: Any) -> None:
    real = app.state.database
    app.state.database = Database("sqlite:////nonexistent-dir/none.sqlite3")
    try:
        response = client.get("/readyz")
    finally:
        app.state.database.dispose()
        app.state.database = real
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "down"}}


def test_readyz_reports_a_search_engine_that_is_down_without_leaving_rotation(
    tmp_path: Path,
) -> None:
    """Matching falls back to the in-process index, so the instance stays ready."""
    assert _probe(tmp_path, "/readyz", search_url="opensearch+http://127.0.0.1:1") == (
        200,
        {"status": "degraded", "checks": {"database": "ok", "search": "down"}},
    )


def test_readyz_pings_a_configured_search_engine(tmp_path: Path) -> None:
    assert _probe(tmp_path, "/readyz", search_url=search_url()) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "search": "ok"}},
    )
