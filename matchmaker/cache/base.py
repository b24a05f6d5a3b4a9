"""The cache contract: JSON values under string keys, each with a time to live.

Every backend (in-process `memory.MemoryCache`, shared `redis.RedisCache`) passes the
suite in tests/contract/test_cache.py. Invalidate groups of keys with a version key: put
`version(name)` into the keys of the group and `bump(name)` to orphan all of them at once.
"""

from __future__ import annotations

from typing import Any, Protocol


class Cache(Protocol):
    """Best effort: a miss is always allowed (evicted, expired, or the server is down)."""

    def get(self, key: str) -> Any | None:
        """The stored value (a fresh copy), or None when missing or expired."""

    def set(self, key: str, value: Any, ttl_seconds: int) -> None:
        """Store a JSON value for `ttl_seconds`; TypeError or ValueError if JSON cannot carry it."""

    def delete(self, key: str) -> None: ...

    def version(self, name: str) -> int:
        """The current version of a group of keys; 0 until the first bump."""

    def bump(self, name: str) -> int:
        """Move the group to a new version (returned), so keys built from the old one miss."""
