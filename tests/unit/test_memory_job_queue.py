"""The in-process queue lets a stopping app's worker go at once instead of after its poll."""

from __future__ import annotations

import threading
import time

from matchmaker.jobs.memory import MemoryJobQueue


def test_wake_returns_a_waiting_pop_at_once() -> None:
    queue = MemoryJobQueue()
    popped: list[str | None] = []
    waiter = threading.Thread(target=lambda: popped.append(queue.pop(timeout=30)))
    waiter.start()
    time.sleep(0.05)
    started = time.monotonic()
    queue.wake()
    waiter.join(timeout=5)
    assert popped == [None]
    assert time.monotonic() - started < 5  # far below the 30 s the pop would have waited


def test_jobs_pushed_after_wake_are_still_popped() -> None:
    queue = MemoryJobQueue()
    queue.wake()
    queue.push("job-1")
    assert queue.pop(timeout=0) == "job-1"
    assert queue.pop(timeout=0) is None
