"""The in-process rate limiter: enough for one server process and for tests."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from matchmaker.ratelimit.base import Decision

PRUNE_EVERY = 1000  # hits between sweeps of expired windows, so memory stays bounded


class MemoryRateLimiter:
    """Fixed windows kept in a dict: key -> (window end, hits)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}
        self._hits = 0

    def hit(self, key: str, limit: int, window_seconds: int) -> Decision:
        now = self._clock()
        with self._lock:
            self._prune(now)
            ends, count = self._windows.get(key, (0.0, 0))
            if ends <= now:
                ends, count = now + window_seconds, 0
            count += 1
            self._windows[key] = (ends, count)
        if count <= limit:
            return Decision(allowed=True)
        return Decision(allowed=False, retry_after=max(1, math.ceil(ends - now)))

    def _prune(self, now: float) -> None:
        self._hits += 1
        if self._hits % PRUNE_EVERY == 0:
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
