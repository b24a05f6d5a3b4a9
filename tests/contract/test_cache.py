"""The Cache contract (matchmaker/cache/base.py), run against every backend.

In-memory always; Redis when MATCHMAKER_TEST_REDIS_URL names one (tests/services.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from services import redis_url, unique_prefix

from matchmaker.cache import cache_for
from matchmaker.cache.base import Cache
from matchmaker.cache.memory import MemoryCache
from matchmaker.config import load_settings


def _redis_cache() -> Cache:
    from matchmaker.cache.redis import RedisCache

    return RedisCache.from_url(redis_url(), prefix=unique_prefix())


BACKENDS: dict[str, Callable[[], Cache]] = {"memory": MemoryCache, "redis": _redis_cache}


@pytest.fixture(params=sorted(BACKENDS))
def cache(request: pytest.FixtureRequest) -> Cache:
    return BACKENDS[request.param]()


def test_a_stored_value_comes_back_equal(cache: Cache) -> None:
    value = {"matches": [{"id": "p1", "score": 87}], "name": "上海澄芯"}
    cache.set("k", value, 60)
    assert cache.get("k") == value


def test_a_missing_key_is_none(cache: Cache) -> None:
    assert cache.get("nothing") is None


def test_reads_get_their_own_copy(cache: Cache) -> None:
    cache.set("k", {"items": [1]}, 60)
    first = cache.get("k")
    first["items"].append(2)
    assert cache.get("k") == {"items": [1]}


def test_set_replaces_and_delete_removes(cache: Cache) -> None:
    cache.set("k", 1, 60)
    cache.set("k", 2, 60)
    assert cache.get("k") == 2
    cache.delete("k")
    cache.delete("k")  # deleting a missing key is fine
    assert cache.get("k") is None


def test_a_value_expires_after_its_ttl(cache: Cache) -> None:
    cache.set("k", "v", 1)
    time.sleep(1.1)
    assert cache.get("k") is None


@pytest.mark.parametrize("value", [{"when": object()}, float("nan")])
def test_a_value_json_cannot_carry_is_refused(cache: Cache, value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        cache.set("k", value, 60)


def test_bumping_a_version_moves_keys_built_from_it(cache: Cache) -> None:
    assert cache.version("matches") == 0
    cache.set(f"matches:v{cache.version('matches')}:n1", [1], 60)
    assert cache.bump("matches") == 1
    assert cache.version("matches") == 1
    assert cache.get(f"matches:v{cache.version('matches')}:n1") is None
    assert cache.version("other") == 0


def test_two_redis_caches_share_entries_and_versions() -> None:
    from matchmaker.cache.redis import RedisCache

    url, prefix = redis_url(), unique_prefix()
    first, second = RedisCache.from_url(url, prefix=prefix), RedisCache.from_url(url, prefix=prefix)
    first.set("k", {"n": 1}, 60)
    first.bump("matches")
    assert second.get("k") == {"n": 1}
    assert second.version("matches") == 1


def test_an_unreachable_redis_cache_misses() -> None:
    from matchmaker.cache.redis import RedisCache

    cache = RedisCache.from_url("redis://127.0.0.1:1/0")
    cache.set("k", 1, 60)
    assert cache.get("k") is None


def test_cache_for_picks_redis_when_a_url_is_configured(tmp_path: Path) -> None:
    from matchmaker.cache.redis import RedisCache

    assert isinstance(cache_for(load_settings(data_dir=tmp_path)), MemoryCache)
    configured = load_settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    assert isinstance(cache_for(configured), RedisCache)
