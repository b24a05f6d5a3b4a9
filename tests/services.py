"""Servers some tests need (Redis), found through environment variables.

The same rule as tests/tools.py: without the server the test is skipped with the reason
shown, unless ``MATCHMAKER_REQUIRE_SERVICES=1`` (CI sets it in ``.ci/run``, which also
starts a Redis): then it fails.
"""

from __future__ import annotations

import os
import uuid

from tools import unavailable as _unavailable

REDIS_VARIABLE = "MATCHMAKER_TEST_REDIS_URL"


def redis_url() -> str:
    """``$MATCHMAKER_TEST_REDIS_URL`` when it answers PING; skips or fails otherwise."""
    url = os.environ.get(REDIS_VARIABLE, "").strip()
    if not url:
        _unavailable(
            f"{REDIS_VARIABLE} not set: Redis tests skipped "
            "(start redis-server and set it, e.g. redis://127.0.0.1:6390/0)",
            f"{REDIS_VARIABLE} is required under MATCHMAKER_REQUIRE_SERVICES=1 (.ci/run sets it)",
        )
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except (redis.RedisError, OSError) as error:
        _unavailable(
            f"Redis at {url} does not answer ({error}): Redis tests skipped",
            f"Redis at {url} does not answer under MATCHMAKER_REQUIRE_SERVICES=1: {error}",
        )
    return url


def unique_prefix() -> str:
    """Keys and channels of their own, so that concurrent test runs share one Redis safely."""
    return f"matchmaker-test:{uuid.uuid4().hex}:"


SEARCH_VARIABLE = "MATCHMAKER_TEST_SEARCH_URL"


def search_url() -> str:
    """``$MATCHMAKER_TEST_SEARCH_URL`` (opensearch+http://127.0.0.1:9250, say) when the
    engine answers; skips or fails otherwise, as `redis_url` does."""
    url = os.environ.get(SEARCH_VARIABLE, "").strip()
    if not url:
        _unavailable(
            f"{SEARCH_VARIABLE} not set: search engine tests skipped "
            "(bash .ci/opensearch.sh starts a node, then set it to opensearch+http://127.0.0.1:9250)",
            f"{SEARCH_VARIABLE} is required under MATCHMAKER_REQUIRE_SERVICES=1 (.ci/run sets it)",
        )
    from matchmaker.searchengine.adapters import connect
    from matchmaker.searchengine.client import SearchEngineError

    try:
        connect(url).version()
    except (SearchEngineError, ValueError) as error:
        _unavailable(
            f"search engine at {url} does not answer ({error}): search engine tests skipped",
            f"search engine at {url} does not answer under MATCHMAKER_REQUIRE_SERVICES=1: {error}",
        )
    return url


def unique_alias(kind: str) -> str:
    """An alias of this test's own (engines want lower case names)."""
    return f"matchmaker-test-{uuid.uuid4().hex[:12]}-{kind}"


def drop_aliased(url: str, alias: str) -> None:
    """Delete the indices behind a test's alias."""
    from matchmaker.searchengine.adapters import connect

    client = connect(url)
    for index in client.alias_targets(alias):
        client.delete_index(index)
