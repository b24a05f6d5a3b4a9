"""The in-process job queue: one server process and its worker threads, and tests."""

from __future__ import annotations

import threading
from collections import deque


class MemoryJobQueue:
    """Thread-safe; a consumer is the thread that popped, gone once that thread has ended."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._waiting: deque[str] = deque()
        self._in_flight: dict[str, threading.Thread] = {}
        self._woken = False

    def push(self, job_id: str) -> None:
        with self._ready:
            self._waiting.append(job_id)
            self._ready.notify()

    def pop(self, timeout: float = 0) -> str | None:
        with self._ready:
            self._ready.wait_for(lambda: self._waiting or self._woken, timeout)
            if not self._waiting:
                return None
            job_id = self._waiting.popleft()
            self._in_flight[job_id] = threading.current_thread()
            return job_id

    def ack(self, job_id: str) -> None:
        with self._ready:
            self._in_flight.pop(job_id, None)

    def recover(self) -> int:
        with self._ready:
            dead = [job_id for job_id, thread in self._in_flight.items() if not thread.is_alive()]
            for job_id in reversed(dead):
                del self._in_flight[job_id]
                self._waiting.appendleft(job_id)
            if dead:
                self._ready.notify(len(dead))
            return len(dead)

    def __len__(self) -> int:
        with self._ready:
            return len(self._waiting)

    def wake(self) -> None:
        """Let every waiting `pop` return None at once (the app is shutting down), so a
        stopping worker thread does not sit out its poll interval."""
        with self._ready:
            self._woken = True
            self._ready.notify_all()

    def close(self) -> None:
        """Nothing runs in the background."""
