"""The Redis cache: entries shared by every server process, expired by Redis itself."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "matchmaker:cache:"


class RedisCache:
    """Reads and deletes that fail count as misses (logged); a failed bump raises."""

    def __init__(self, client: redis.Redis, *, prefix: str = KEY_PREFIX) -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = KEY_PREFIX) -> RedisCache:
        return cls(redis.Redis.from_url(url), prefix=prefix)

    def get(self, key: str) -> Any | None:
        try:
            raw: Any = self._client.get(self._prefix + key)
        except redis.RedisError as error:
            log.warning("cache read of %r failed: %s", key, error)
            return None
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl_seconds: int) -> None:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
        try:
            self._client.set(self._prefix + key, encoded, ex=ttl_seconds)
        except redis.RedisError as error:
            log.warning("cache write of %r failed: %s", key, error)

    def delete(self, key: str) -> None:
        try:
            self._client.delete(self._prefix + key)
        except redis.RedisError as error:
            log.warning("cache delete of %r failed: %s", key, error)

    def version(self, name: str) -> int:
        try:
            raw: Any = self._client.get(self._prefix + "version:" + name)
        except redis.RedisError as error:
            log.warning("cache version of %r unknown: %s", name, error)
            return -1  # a version no key was stored under: every read misses
        return 0 if raw is None else int(raw)

    def bump(self, name: str) -> int:
        return int(self._client.incr(self._prefix + "version:" + name))
