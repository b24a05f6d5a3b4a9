"""Publish/subscribe between parts of the app: base.MessageBus, memory.MemoryBus by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker.bus.base import MessageBus
from matchmaker.bus.memory import MemoryBus

if TYPE_CHECKING:
    from matchmaker.config import Settings


def bus_for(settings: Settings) -> MessageBus:
    """Redis pub/sub when MATCHMAKER_REDIS_URL is set (several processes), else in-process."""
    if settings.redis_url:
        from matchmaker.bus.redis import RedisBus

        return RedisBus.from_url(settings.redis_url)
    return MemoryBus()
