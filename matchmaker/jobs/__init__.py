"""Long work off the request: base.JobQueue of job ids, memory by default, Redis to share.

See docs/jobs.md: `service.submit` records and enqueues a job, `service.Worker` runs it with
the handler its kind names in `registry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker.jobs.base import JobQueue
from matchmaker.jobs.memory import MemoryJobQueue

if TYPE_CHECKING:
    from matchmaker.config import Settings

__all__ = ["JobQueue", "queue_for"]


def queue_for(settings: Settings) -> JobQueue:
    """Redis when MATCHMAKER_REDIS_URL is set (worker processes share it), else in-process."""
    if settings.redis_url:
        from matchmaker.jobs.redis import RedisJobQueue

        return RedisJobQueue.from_url(settings.redis_url)
    return MemoryJobQueue()
