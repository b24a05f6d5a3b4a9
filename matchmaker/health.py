"""Probes for load balancers and orchestrators: liveness and readiness.

`/healthz` answers while the process runs; `/readyz` also pings each backend the app
depends on (the database, and Redis when configured) and answers 503 naming the one
down. A search engine that is down is reported as "degraded" without a 503.
"""

from __future__ import annotations

import logging

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from matchmaker.config import Settings
from matchmaker.db import Database

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PING_TIMEOUT = 2.0


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    checks = {"database": _database_state(request.app.state.database)}
    if settings.redis_url:
        checks["redis"] = _redis_state(settings.redis_url)
    ready = all(state == "ok" for state in checks.values())
    if settings.search_url:
        # Reported, but the instance stays in rotation: matching falls back to its own
        # index and only search answers 503 until the engine is back.
        checks["search"] = _search_state(settings)
    degraded = ready and any(state != "ok" for state in checks.values())
    status = "degraded" if degraded else "ok" if ready else "unavailable"
    body = {"status": status, "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


def _database_state(database: Database) -> str:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("readiness: database down: %s", error)
        return "down"
    return "ok"


def _search_state(settings: Settings) -> str:
    from matchmaker.searchengine.backends import engine_client
    from matchmaker.searchengine.client import SearchEngineError

    client = engine_client(settings)
    try:
        if client is not None:
            client.version()
    except SearchEngineError as error:
        log.warning("readiness: search engine down: %s", error)
        return "down"
    return "ok"


def _redis_state(url: str) -> str:
    client = redis.Redis.from_url(
        url, socket_timeout=PING_TIMEOUT, socket_connect_timeout=PING_TIMEOUT
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        log.warning("readiness: redis down: %s", error)
        return "down"
    finally:
        client.close()
    return "ok"
