"""The rate-limit contract: count attempts per key in fixed windows of time.

Every backend (in-process `memory.MemoryRateLimiter`, shared `redis.RedisRateLimiter`)
passes the suite in tests/contract/test_ratelimit.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Decision:
    """Whether this attempt may go ahead; if not, the whole seconds until the window ends."""

    allowed: bool
    retry_after: int = 0


class RateLimiter(Protocol):
    """Count one attempt on `key` and decide.

    - The first `limit` hits on a key within a window are allowed, later ones refused with
      `retry_after` >= 1, the seconds until the window that began with the first hit ends.
    - A window starts at the first hit on a key (or the first after the last window ended)
      and lasts `window_seconds`; then the count starts again from zero.
    - Refused hits count too, so hammering does not shorten the wait.
    - Keys are independent; the same key with another `limit` shares the count.
    """

    def hit(self, key: str, limit: int, window_seconds: int) -> Decision: ...
