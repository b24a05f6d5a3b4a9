"""The Redis rate limiter: one counter per key shared by every server process.

A Lua script increments the counter and sets its expiry atomically, so concurrent hits
from several processes are counted exactly once each and a window always ends.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import redis

from matchmaker.ratelimit.base import Decision

log = logging.getLogger(__name__)

KEY_PREFIX = "matchmaker:ratelimit:"
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisRateLimiter:
    """When Redis is unreachable every hit is allowed (and logged): sign-in stays possible."""

    def __init__(self, client: redis.Redis, *, prefix: str = KEY_PREFIX) -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_HIT)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = KEY_PREFIX) -> RedisRateLimiter:
        return cls(redis.Redis.from_url(url), prefix=prefix)

    def hit(self, key: str, limit: int, window_seconds: int) -> Decision:
        try:
            result: Any = self._script(keys=[self._prefix + key], args=[window_seconds * 1000])
        except redis.RedisError as error:
            log.warning("rate limit on %r not checked: %s", key, error)
            return Decision(allowed=True)
        count, ttl_ms = int(result[0]), int(result[1])
        if count <= limit:
            return Decision(allowed=True)
        return Decision(allowed=False, retry_after=max(1, math.ceil(ttl_ms / 1000)))
