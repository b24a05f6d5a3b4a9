"""Worker threads: `matchmaker worker` runs them, and so does the server without Redis."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from matchmaker.jobs.memory import MemoryJobQueue
from matchmaker.jobs.service import Worker, requeue_unfinished

log = logging.getLogger(__name__)


class WorkerThreads:
    """`concurrency` threads sharing one worker; `stop` lets running jobs finish."""

    def __init__(
        self, worker: Worker, concurrency: int = 1, *, poll: float = 1.0, once: bool = False
    ) -> None:
        self.worker = worker
        self.threads = [
            threading.Thread(
                target=worker.run,
                args=(poll,),
                kwargs={"once": once},
                name=f"job-worker-{n}",
                daemon=True,
            )
            for n in range(concurrency)
        ]

    def start(self) -> WorkerThreads:
        recovered = self.worker.queue.recover()
        if recovered:
            log.info("recovered %d job(s) from workers that stopped", recovered)
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.worker.stopping.set()
        if isinstance(self.worker.queue, MemoryJobQueue):
            self.worker.queue.wake()
        for thread in self.threads:
            thread.join(timeout)


def embedded(app: Any) -> WorkerThreads | None:
    """One in-process worker thread when there is no Redis (and it is not turned off)."""
    settings = app.state.settings
    if settings.redis_url or not settings.embedded_worker:
        return None
    worker = Worker(app.state.database, app.state.jobs, settings, matching=app.state.matching)
    with app.state.database.session() as db:  # the memory queue died with the last process
        requeue_unfinished(db, app.state.jobs)
    return WorkerThreads(worker, poll=0.5).start()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The app's lifespan: the embedded worker runs while the app serves, and with it the
    search engine delivery loop (which `matchmaker worker` runs when there is Redis)."""
    threads = embedded(app)
    delivery = None
    if threads is not None and app.state.settings.search_url:
        from matchmaker.searchengine.delivery import DeliveryLoop

        state = app.state
        delivery = DeliveryLoop(state.database, state.search, state.matching).start()
    try:
        yield
    finally:
        if delivery is not None:
            delivery.stop()
        if threads is not None:
            threads.stop()
        app.state.jobs.close()
