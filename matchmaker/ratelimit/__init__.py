"""Attempt counting for sign-in and sign-up: base.RateLimiter, memory by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker.ratelimit.base import Decision, RateLimiter
from matchmaker.ratelimit.memory import MemoryRateLimiter

if TYPE_CHECKING:
    from matchmaker.config import Settings

__all__ = ["Decision", "RateLimiter", "limiter_for"]


def limiter_for(settings: Settings) -> RateLimiter:
    """Redis when MATCHMAKER_REDIS_URL is set (limits shared by processes), else in-process."""
    if settings.redis_url:
        from matchmaker.ratelimit.redis import RedisRateLimiter

        return RedisRateLimiter.from_url(settings.redis_url)
    return MemoryRateLimiter()
