"""The in-process cache: enough for one server process and for tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

MAX_ENTRIES = 10_000  # beyond this, expired entries are dropped, then the oldest


class MemoryCache:
    """A dict of JSON strings with deadlines; values are copied in and out like Redis does."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, str]] = {}
        self._versions: dict[str, int] = {}

    def get(self, key: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= self._clock():
                self._entries.pop(key, None)
                return None
        return json.loads(entry[1])

    def set(self, key: str, value: Any, ttl_seconds: int) -> None:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
        now = self._clock()
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                while len(self._entries) >= MAX_ENTRIES:
                    del self._entries[next(iter(self._entries))]
            self._entries.pop(key, None)
            self._entries[key] = (now + ttl_seconds, encoded)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def version(self, name: str) -> int:
        with self._lock:
            return self._versions.get(name, 0)

    def bump(self, name: str) -> int:
        with self._lock:
            self._versions[name] = self._versions.get(name, 0) + 1
            return self._versions[name]
