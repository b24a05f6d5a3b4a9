"""`matchmaker worker` and `matchmaker jobs list|show|submit`: run and follow long work."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchmaker.cli_common import fail, settings
from matchmaker.errors import DomainError

if TYPE_CHECKING:
    from matchmaker.jobs.models import Job

jobs_app = typer.Typer(help="Background jobs: list, show, submit and follow them.")
BAR_WIDTH = 30


@contextmanager
def _database() -> Any:
    from matchmaker import migrate
    from matchmaker.db import Database

    database = Database(settings().db_url)
    try:
        migrate.upgrade(database)
        yield database
    finally:
        database.dispose()


def worker_command(
    once: Annotated[bool, typer.Option("--once", help="Run the queued jobs, then exit")] = False,
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at the same time")] = 1,
) -> None:
    """Run jobs from the queue (Redis, MATCHMAKER_REDIS_URL) until stopped with Ctrl-C; with
    MATCHMAKER_SEARCH_URL, also deliver database changes to the search engine."""
    from matchmaker.jobs import queue_for
    from matchmaker.jobs.runner import WorkerThreads
    from matchmaker.jobs.service import Worker, requeue_unfinished

    config = settings()
    queue = queue_for(config)
    with _database() as database:
        if not config.redis_url:  # nothing reaches a memory queue from outside: use the table
            typer.echo("MATCHMAKER_REDIS_URL is not set: running the jobs queued in the "
                       "database (the server runs new jobs itself)", err=True)  # fmt: skip
            with database.session() as db:
                requeue_unfinished(db, queue, only_queued=True)
        worker = Worker(database, queue, config)
        delivery = _delivery(database, worker)
        threads = WorkerThreads(worker, concurrency, once=once).start()
        if delivery is not None and not once:
            delivery.start()
        typer.echo(f"worker running {concurrency} thread(s)", err=True)
        try:
            while any(thread.is_alive() for thread in threads.threads):
                time.sleep(0.2)
            if delivery is not None and once:
                delivery.run_once()
        except KeyboardInterrupt:
            typer.echo("stopping: waiting for running jobs to finish", err=True)
        finally:
            threads.stop()
            if delivery is not None:
                delivery.stop()
            queue.close()


def _delivery(database: Any, worker: Any) -> Any:
    """With a search engine, the outbox delivery loop runs beside the jobs (same engine)."""
    config = settings()
    if not config.search_url:
        return None
    from matchmaker.searchengine.backends import search_service_for
    from matchmaker.searchengine.delivery import DeliveryLoop

    typer.echo("delivering changes to the search engine every few seconds", err=True)
    return DeliveryLoop(database, search_service_for(config), worker.matching())


def bar(job: Job) -> str:
    """`[#########.....]  45%  (9/20)` or, with no total yet, the count alone."""
    percent = job.percent
    if percent is None:
        return f"[{'?' * BAR_WIDTH}]  {job.progress} done"
    filled = percent * BAR_WIDTH // 100
    counts = f"  ({job.progress}/{job.total})" if job.total else ""
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:>3}%{counts}"


def describe(job: Job) -> str:
    lines = [f"{job.id}  {job.kind}  {job.status.value}  attempts {job.attempts}", bar(job)]
    if job.message:
        lines.append(job.message)
    if job.result is not None:
        lines.append(json.dumps(job.result, ensure_ascii=False))
    if job.error:
        lines.append(f"error: {job.error}")
    return "\n".join(lines)


@jobs_app.command("list")
def list_jobs(
    limit: Annotated[int, typer.Option(min=1, help="Newest jobs to show")] = 50,
) -> None:
    """The newest jobs, one JSON object per line."""
    from matchmaker.jobs import service

    with _database() as database, database.session() as db:
        for job in service.recent(db, limit=limit):
            row = {"id": job.id, "kind": job.kind, "status": job.status.value,
                   "progress": job.progress, "total": job.total, "percent": job.percent,
                   "created_at": job.created_at.isoformat()}  # fmt: skip
            typer.echo(json.dumps(row, ensure_ascii=False))


@jobs_app.command("show")
def show(job_id: Annotated[str, typer.Argument(help="The job's id")]) -> None:
    """A job's status, progress bar, message, result or error."""
    from matchmaker.jobs.models import Job

    with _database() as database, database.session() as db:
        job = db.get(Job, job_id)
        if job is None:
            raise fail(f"job {job_id!r} does not exist")
        typer.echo(describe(job))


def _params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise fail(f"--param takes key=value, not {pair!r}")
        params[key.strip()] = value
    return params


@jobs_app.command("submit")
def submit(
    kind: Annotated[str, typer.Argument(help="events.shortlist, events.export, import, ...")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value (repeat)")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the progress until it ends")] = False,
) -> None:
    """Queue a job and print its id; --wait shows its progress and exits 1 if it fails.

    Without MATCHMAKER_REDIS_URL no worker can see this process's queue, so --wait runs the
    job here; without --wait it stays queued for `matchmaker worker` or the server.
    """
    from matchmaker.jobs import queue_for, service

    config = settings()
    queue = queue_for(config)
    with _database() as database:
        with database.session() as db:
            try:
                job = service.submit(db, queue, kind=kind, params=_params(param or []),
                                     created_by=None)  # fmt: skip
            except DomainError as error:
                raise fail(f"{error.detail} Known kinds: {', '.join(sorted(_kinds()))}") from None
        typer.echo(job.id)
        try:
            if wait:
                if not config.redis_url:
                    worker = service.Worker(database, queue, config)
                    threading.Thread(target=worker.run, kwargs={"once": True}).start()
                _follow(database, job.id)
        finally:
            queue.close()


def _kinds() -> list[str]:
    from matchmaker.jobs import registry

    return list(registry.kinds())


def _follow(database: Any, job_id: str, interval: float = 0.2) -> None:
    from matchmaker.jobs.models import Job

    shown = ""
    while True:
        with database.session() as db:
            job = db.get(Job, job_id)
            assert job is not None  # noqa: S101 - it was just committed
            line = f"{job.status.value:<8} {bar(job)}  {job.message}".rstrip()
            if line != shown:
                typer.echo(line, err=True)
                shown = line
            if job.finished:
                break
        time.sleep(interval)
    typer.echo(describe(job))
    if job.error is not None and job.status.value == "failed":
        raise fail(f"job {job_id} failed: {job.error}")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
    app.add_typer(jobs_app, name="jobs", no_args_is_help=True)
