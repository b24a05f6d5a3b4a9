"""The JobQueue contract (matchmaker/jobs/base.py), run against every backend.

In-memory always; Redis when MATCHMAKER_TEST_REDIS_URL names one (tests/services.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from services import redis_url, unique_prefix

from matchmaker.config import load_settings
from matchmaker.jobs import queue_for
from matchmaker.jobs.base import JobQueue
from matchmaker.jobs.memory import MemoryJobQueue

HEARTBEAT = 0.3  # seconds: how soon a stopped Redis consumer counts as dead in these tests


def _redis_pair() -> tuple[JobQueue, Callable[[], JobQueue]]:
    """The queue under test, and a way to open another consumer of the same queue."""
    from matchmaker.jobs.redis import RedisJobQueue

    url, prefix = redis_url(), unique_prefix()

    def consumer() -> JobQueue:
        return RedisJobQueue.from_url(url, prefix=prefix, heartbeat_seconds=HEARTBEAT)

    return consumer(), consumer


def _memory_pair() -> tuple[JobQueue, Callable[[], JobQueue]]:
    queue = MemoryJobQueue()
    return queue, lambda: queue


BACKENDS = {"memory": _memory_pair, "redis": _redis_pair}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[JobQueue, Callable[[], JobQueue]]]:
    queue, other = BACKENDS[request.param]()
    yield queue, other
    queue.close()


@pytest.fixture
def queue(backend: tuple[JobQueue, Callable[[], JobQueue]]) -> JobQueue:
    return backend[0]


def _dead_consumer_pops(other: Callable[[], JobQueue]) -> str | None:
    """Pop from a thread (its own consumer, for Redis) that ends without acking."""
    popped: list[str | None] = []
    consumer = other()
    thread = threading.Thread(target=lambda: popped.append(consumer.pop(timeout=1)))
    thread.start()
    thread.join()
    if isinstance(consumer, MemoryJobQueue):
        return popped[0]  # the popping thread has ended: that consumer is gone
    consumer.close()  # a Redis consumer stops beating, as a killed worker process would
    time.sleep(HEARTBEAT * 1.5)
    return popped[0]


def test_ids_come_out_in_push_order(queue: JobQueue) -> None:
    for job_id in ("job-1", "job-2", "job-3"):
        queue.push(job_id)
    assert [queue.pop(timeout=1) for _ in range(3)] == ["job-1", "job-2", "job-3"]


def test_len_counts_the_waiting_ids_not_those_in_flight(queue: JobQueue) -> None:
    queue.push("job-1")
    queue.push("job-2")
    assert len(queue) == 2
    assert queue.pop(timeout=1) == "job-1"
    assert len(queue) == 1


def test_pop_without_waiting_on_an_empty_queue_is_none(queue: JobQueue) -> None:
    started = time.monotonic()
    assert queue.pop(timeout=0) is None
    assert time.monotonic() - started < 0.5


def test_pop_waits_up_to_the_timeout(queue: JobQueue) -> None:
    started = time.monotonic()
    assert queue.pop(timeout=0.2) is None
    assert time.monotonic() - started >= 0.15


def test_a_push_from_another_thread_wakes_a_waiting_pop(queue: JobQueue) -> None:
    timer = threading.Timer(0.1, queue.push, args=("job-1",))
    started = time.monotonic()
    timer.start()
    assert queue.pop(timeout=5) == "job-1"
    assert time.monotonic() - started < 2


def test_each_id_goes_to_one_consumer(queue: JobQueue) -> None:
    for n in range(20):
        queue.push(f"job-{n}")
    taken: list[str] = []
    lock = threading.Lock()

    def consume() -> None:
        while (job_id := queue.pop(timeout=0.2)) is not None:
            with lock:
                taken.append(job_id)
            queue.ack(job_id)

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(f"job-{n}" for n in range(20))


def test_recover_leaves_the_ids_of_live_consumers_in_flight(queue: JobQueue) -> None:
    queue.push("job-1")
    assert queue.pop(timeout=1) == "job-1"
    assert queue.recover() == 0
    assert queue.pop(timeout=0) is None


def test_recover_puts_back_what_a_dead_consumer_held(
    backend: tuple[JobQueue, Callable[[], JobQueue]],
) -> None:
    queue, other = backend
    queue.push("job-1")
    queue.push("job-2")
    assert _dead_consumer_pops(other) == "job-1"
    assert queue.recover() == 1
    assert queue.recover() == 0  # only once
    assert len(queue) == 2
    assert queue.pop(timeout=1) == "job-1"  # back at the front
    assert queue.pop(timeout=1) == "job-2"


def test_an_acked_id_is_not_recovered(backend: tuple[JobQueue, Callable[[], JobQueue]]) -> None:
    queue, other = backend
    queue.push("job-1")
    consumer = other()

    def work() -> None:
        job_id = consumer.pop(timeout=1)
        assert job_id == "job-1"
        consumer.ack(job_id)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if not isinstance(consumer, MemoryJobQueue):
        consumer.close()
        time.sleep(HEARTBEAT * 1.5)
    assert queue.recover() == 0
    assert len(queue) == 0


def test_acking_an_unknown_id_does_nothing(queue: JobQueue) -> None:
    queue.ack("job-never-seen")
    queue.push("job-1")
    assert queue.pop(timeout=1) == "job-1"


def test_queues_of_other_prefixes_are_separate() -> None:
    from matchmaker.jobs.redis import RedisJobQueue

    url = redis_url()
    first = RedisJobQueue.from_url(url, prefix=unique_prefix())
    second = RedisJobQueue.from_url(url, prefix=unique_prefix())
    first.push("job-1")
    assert second.pop(timeout=0) is None
    assert first.pop(timeout=0) == "job-1"
    first.close()
    second.close()


def test_queue_for_picks_redis_when_a_url_is_configured(tmp_path: Path) -> None:
    from matchmaker.jobs.redis import RedisJobQueue

    assert isinstance(queue_for(load_settings(data_dir=tmp_path)), MemoryJobQueue)
    configured = load_settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    assert isinstance(queue_for(configured), RedisJobQueue)  # connects lazily: no server needed
