"""A circuit breaker, so a search engine that is away costs one failed call per cool-down
instead of one per request, and is tried again by itself (recovery needs no restart)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
FIRST_COOLDOWN = 2.0
MAX_COOLDOWN = 60.0


class Breaker:
    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.clock = clock
        self.cooldown = 0.0
        self.retry_at = 0.0
        self.last_error = ""
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """True while calls are skipped after a failure."""
        return self.cooldown > 0 and self.clock() < self.retry_at

    @property
    def state(self) -> str:
        return "ok" if self.cooldown == 0 else "down"

    def allow(self) -> bool:
        """Whether to try the engine now: always when healthy, once per cool-down when not."""
        return not self.open

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self.cooldown = min(max(self.cooldown * 2, FIRST_COOLDOWN), MAX_COOLDOWN)
            self.retry_at = self.clock() + self.cooldown
            self.last_error = str(error)
        log.warning("%s unavailable, next try in %.0f s: %s", self.name, self.cooldown, error)

    def succeeded(self) -> None:
        if self.cooldown:
            log.info("%s is back", self.name)
        with self._lock:
            self.cooldown = 0.0
            self.last_error = ""
