"""The job queue contract: ids of jobs waiting for a worker, delivered at least once.

Every backend (the in-process `memory.MemoryJobQueue`, `redis.RedisJobQueue` shared by
processes) passes the suite in tests/contract/test_job_queue.py.
"""

from __future__ import annotations

from typing import Protocol


class JobQueue(Protocol):
    """A reliable FIFO of job ids.

    - `push` adds an id at the back; `pop` takes the front one, waiting up to `timeout`
      seconds (0: do not wait), and keeps it *in flight* for the consumer that took it.
    - `ack` forgets an in-flight id once its job is finished (done, failed or re-pushed);
      acking an id that is not in flight does nothing.
    - `recover` puts back at the front the in-flight ids of consumers that are gone (a
      thread that ended, a worker process that stopped beating) and says how many; the
      in-flight ids of live consumers stay where they are. So a job is never lost, but a
      job may run twice: the worker checks the job's status before running it.
    - `len(queue)` counts the ids waiting, not those in flight.
    - `close` stops whatever the queue runs in the background; the queue is not used after.
    """

    def push(self, job_id: str) -> None: ...

    def pop(self, timeout: float = 0) -> str | None: ...

    def ack(self, job_id: str) -> None: ...

    def recover(self) -> int: ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...
