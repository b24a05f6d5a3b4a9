"""The RateLimiter contract (matchmaker/ratelimit/base.py), run against every backend.

In-memory always; Redis when MATCHMAKER_TEST_REDIS_URL names one (tests/services.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from services import redis_url, unique_prefix

from matchmaker.config import load_settings
from matchmaker.ratelimit import limiter_for
from matchmaker.ratelimit.base import Decision, RateLimiter
from matchmaker.ratelimit.memory import MemoryRateLimiter


def _redis_limiter() -> RateLimiter:
    from matchmaker.ratelimit.redis import RedisRateLimiter

    return RedisRateLimiter.from_url(redis_url(), prefix=unique_prefix())


BACKENDS: dict[str, Callable[[], RateLimiter]] = {
    "memory": MemoryRateLimiter,
    "redis": _redis_limiter,
}


@pytest.fixture(params=sorted(BACKENDS))
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    return BACKENDS[request.param]()


def test_hits_up_to_the_limit_are_allowed_and_the_next_refused(limiter: RateLimiter) -> None:
    decisions = [limiter.hit("login:a", 3, 60) for _ in range(4)]
    assert decisions[:3] == [Decision(allowed=True)] * 3
    assert decisions[3].allowed is False
    assert 1 <= decisions[3].retry_after <= 60


def test_keys_are_counted_apart(limiter: RateLimiter) -> None:
    assert limiter.hit("a", 1, 60) == Decision(allowed=True)
    assert limiter.hit("a", 1, 60).allowed is False
    assert limiter.hit("b", 1, 60) == Decision(allowed=True)


def test_refused_hits_keep_being_refused(limiter: RateLimiter) -> None:
    limiter.hit("a", 1, 60)
    assert [limiter.hit("a", 1, 60).allowed for _ in range(5)] == [False] * 5


def test_the_count_starts_again_when_the_window_ends(limiter: RateLimiter) -> None:
    limiter.hit("a", 1, 1)
    refused = limiter.hit("a", 1, 1)
    assert refused == Decision(allowed=False, retry_after=1)
    time.sleep(1.1)
    assert limiter.hit("a", 1, 1) == Decision(allowed=True)


def test_concurrent_hits_are_each_counted_once(limiter: RateLimiter) -> None:
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(10):
            decision = limiter.hit("shared", 25, 60)
            with lock:
                allowed.append(decision.allowed)

    threads = [threading.Thread(target=hammer) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False] * 25 + [True] * 25


def test_two_redis_limiters_share_their_counts() -> None:
    from matchmaker.ratelimit.redis import RedisRateLimiter

    url, prefix = redis_url(), unique_prefix()
    first = RedisRateLimiter.from_url(url, prefix=prefix)
    second = RedisRateLimiter.from_url(url, prefix=prefix)
    assert first.hit("login:a", 1, 60) == Decision(allowed=True)
    assert second.hit("login:a", 1, 60).allowed is False


def test_an_unreachable_redis_allows_every_hit() -> None:
    from matchmaker.ratelimit.redis import RedisRateLimiter

    limiter = RedisRateLimiter.from_url("redis://127.0.0.1:1/0")
    assert [limiter.hit("a", 1, 60) for _ in range(2)] == [Decision(allowed=True)] * 2


def test_limiter_for_picks_redis_when_a_url_is_configured(tmp_path: Path) -> None:
    from matchmaker.ratelimit.redis import RedisRateLimiter

    assert isinstance(limiter_for(load_settings(data_dir=tmp_path)), MemoryRateLimiter)
    configured = load_settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    assert isinstance(limiter_for(configured), RedisRateLimiter)
