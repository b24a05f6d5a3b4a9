"""Submit jobs, show them to whom they concern, and run them: `Worker`.

A job row is written (and committed) before its id is queued, so a worker always finds
it. The worker claims a job with a conditional UPDATE, so a job queued twice (after a
recovery) still runs once at a time; its handler runs in a fresh session, committed on
success and rolled back on failure, and the job row records the outcome.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from matchmaker import policy
from matchmaker.db import utcnow
from matchmaker.errors import DomainError, NotFound, ValidationFailed
from matchmaker.i18n import N_
from matchmaker.ids import new_id
from matchmaker.jobs import registry
from matchmaker.jobs.base import JobQueue
from matchmaker.jobs.kinds import JobFailed
from matchmaker.jobs.models import FINISHED, Job, JobStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from matchmaker.config import Settings
    from matchmaker.db import Database
    from matchmaker.matching.service import MatchingService

log = logging.getLogger(__name__)

_PERMANENT_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def is_transient(error: BaseException) -> bool:
    """Errors worth another try: lost connections, timeouts, a locked database."""
    import redis
    from sqlalchemy.exc import OperationalError

    transient = (OSError, OperationalError, redis.ConnectionError, redis.TimeoutError)
    return isinstance(error, transient) and not isinstance(error, _PERMANENT_OS_ERRORS)


def submit(
    db: Session, queue: JobQueue, *, kind: str, params: dict[str, Any], created_by: str | None
) -> Job:
    """Record a job of a registered kind and queue it; the caller checked the permission."""
    if registry.get(kind) is None:
        raise ValidationFailed(N_("No such kind of job."))
    job = Job(id=new_id("job"), kind=kind, params=dict(params), created_by=created_by)
    db.add(job)
    db.commit()
    queue.push(job.id)
    return job


def can_view(actor: policy.Actor, job: Job) -> bool:
    """The job's creator and admins: an export job's file holds one organiser's event."""
    if actor is None:
        return False
    return actor.id == job.created_by or policy.is_admin(actor)


def visible(db: Session, *, actor: policy.Actor, job_id: str) -> Job:
    job = db.get(Job, job_id)
    if job is None or not can_view(actor, job):
        raise NotFound(N_("This job does not exist or is not yours to see."))
    return job


def recent(db: Session, *, limit: int = 50) -> list[Job]:
    return list(db.scalars(select(Job).order_by(Job.created_at.desc()).limit(limit)))


def requeue_unfinished(db: Session, queue: JobQueue, *, only_queued: bool = False) -> int:
    """Queue again the jobs a stopped in-process worker left (the memory queue is gone)."""
    waiting = (JobStatus.QUEUED,) if only_queued else (JobStatus.QUEUED, JobStatus.RUNNING)
    ids = list(db.scalars(select(Job.id).where(Job.status.in_(waiting)).order_by(Job.id)))
    for job_id in ids:
        queue.push(job_id)
    return len(ids)


class Worker:
    """Pops job ids and runs them; several threads may share one worker."""

    def __init__(
        self,
        database: Database,
        queue: JobQueue,
        settings: Settings,
        *,
        matching: MatchingService | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.database = database
        self.queue = queue
        self.settings = settings
        self.stopping = threading.Event()
        self._matching = matching
        self._matching_lock = threading.Lock()
        self._sleep = sleep or self.stopping.wait

    def matching(self) -> MatchingService:
        with self._matching_lock:
            if self._matching is None:
                from matchmaker.searchengine.backends import matching_service_for

                self._matching = matching_service_for(self.settings)
            return self._matching

    def run_next(self, timeout: float = 0) -> str | None:
        """Run one job if one comes within `timeout` seconds; its id, or None."""
        job_id = self.queue.pop(timeout)
        if job_id is None:
            return None
        try:
            self._run(job_id)
        finally:
            self.queue.ack(job_id)
        return job_id

    def run(self, poll: float = 1.0, *, once: bool = False) -> None:
        """Run jobs until `stopping` is set (or, with `once`, until the queue is empty)."""
        while not self.stopping.is_set():
            try:
                ran = self.run_next(0 if once else poll)
            except Exception:  # the queue's server is away: wait and try again
                log.exception("job queue unavailable")
                self.stopping.wait(poll)
                continue
            if ran is None and once:
                return

    def _claim(self, job_id: str) -> Job | None:
        """Mark the job running if nobody else has it; None when there is nothing to run."""
        with self.database.session() as db:
            job = db.get(Job, job_id)
            if job is None or job.status in FINISHED:
                return None
            if job.attempts >= self.settings.job_attempts:
                self._finish(job_id, JobStatus.FAILED, error=N_("Gave up: no attempts left."))
                return None
            claimed = db.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == job.status, Job.attempts == job.attempts)
                .values(
                    status=JobStatus.RUNNING,
                    attempts=job.attempts + 1,
                    started_at=utcnow(),
                    error=None,
                )
            )
            db.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            db.refresh(job)
            return job

    def _run(self, job_id: str) -> None:
        job = self._claim(job_id)
        if job is None:
            return
        kind = registry.get(job.kind)
        if kind is None:
            self._finish(
                job_id, JobStatus.FAILED, error=f"no handler for the job kind {job.kind!r}"
            )
            return
        with self.database.session() as db:
            progress = registry.Progress(
                job_id, job.created_by, self.database, self.settings, self.matching,
                write_locked=lambda: _holds_sqlite_write_lock(db),
            )  # fmt: skip
            try:
                result = kind.handler(db, dict(job.params), progress)
                db.commit()
            except Exception as error:  # the job fails; the worker goes on
                db.rollback()
                self._failed(job, error)
                return
        self._finish(job_id, JobStatus.DONE, result=result)

    def _failed(self, job: Job, error: Exception) -> None:
        text = _error_text(error)
        if is_transient(error) and job.attempts < self.settings.job_attempts:
            delay = self.settings.job_backoff_seconds * 2 ** (job.attempts - 1)
            log.warning("job %s (%s) failed, retrying in %.1fs: %s", job.id, job.kind, delay, text)
            self._update(job.id, status=JobStatus.QUEUED, error=text,
                         message=f"retrying after: {text}"[:500])  # fmt: skip
            self._sleep(delay)
            self.queue.push(job.id)  # before the ack: a worker dying here loses nothing
            return
        log.info("job %s (%s) failed: %s", job.id, job.kind, text)
        self._finish(job.id, JobStatus.FAILED, error=text)

    def _finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error}
        if status is JobStatus.DONE:
            values |= {"result": result, "message": ""}
        self._update(job_id, **values)
        if status is JobStatus.DONE:
            with self.database.session() as db:  # a finished bar is full
                db.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.total.is_not(None))
                    .values(progress=Job.total)
                )
                db.commit()

    def _update(self, job_id: str, **values: Any) -> None:
        with self.database.session() as db:
            db.execute(update(Job).where(Job.id == job_id).values(**values))
            db.commit()


def _holds_sqlite_write_lock(db: Session) -> bool:
    """Whether the session has written on SQLite and not yet committed (the file is locked)."""
    if db.get_bind().dialect.name != "sqlite" or not db.in_transaction():
        return False
    raw = db.connection().connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", False))


def _error_text(error: Exception) -> str:
    if isinstance(error, JobFailed):
        return str(error)
    if isinstance(error, DomainError):
        return error.detail
    return "".join(traceback.format_exception_only(error)).strip()
