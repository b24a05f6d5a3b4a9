"""A shared cache for expensive results: base.Cache, memory by default.

Ranked match results use it (matching/cached.py), keyed by the newest change so that any
write invalidates them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker.cache.base import Cache
from matchmaker.cache.memory import MemoryCache

if TYPE_CHECKING:
    from matchmaker.config import Settings

__all__ = ["Cache", "cache_for"]


def cache_for(settings: Settings) -> Cache:
    """Redis when MATCHMAKER_REDIS_URL is set (shared by processes), else in-process."""
    if settings.redis_url:
        from matchmaker.cache.redis import RedisCache

        return RedisCache.from_url(settings.redis_url)
    return MemoryCache()
