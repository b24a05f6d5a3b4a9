"""Jobs: submitted, run by a worker with progress, retried when the error is transient,
shown only to whom they concern, and followed from the command line."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Factory, page_login
from fastapi.testclient import TestClient
from services import redis_url, unique_prefix
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.db import Database
from matchmaker.enterprises.models import Enterprise
from matchmaker.events.models import ShortlistEntry
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.jobs import registry, service
from matchmaker.jobs.memory import MemoryJobQueue
from matchmaker.jobs.models import Job, JobStatus
from matchmaker.jobs.registry import Progress
from matchmaker.jobs.service import Worker

GAS = "高纯电子特气NF3、WF6的提纯、充装与配送，服务12英寸晶圆厂"


@pytest.fixture
def worker(app: Any, settings: Settings) -> Iterator[Worker]:
    """A worker on its own memory queue (the app's embedded one only runs with a client)."""
    quick = settings.model_copy(update={"job_backoff_seconds": 0.0, "job_attempts": 3})
    yield Worker(app.state.database, MemoryJobQueue(), quick, matching=app.state.matching)


@pytest.fixture
def test_kinds() -> Iterator[dict[str, Any]]:
    """Kinds that fail, fail once, or wait for the test, registered for one test."""
    calls: dict[str, Any] = {"flaky": 0, "release": threading.Event()}

    def broken(db: Session, params: dict[str, Any], progress: Progress) -> None:
        db.add(
            Enterprise(id="ent-half-done", name="上海半途科技有限公司", size=EnterpriseSize.SMALL)
        )
        db.flush()
        raise ValueError(f"cannot handle {params['what']}")

    def flaky(db: Session, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
        calls["flaky"] += 1
        if calls["flaky"] < int(params.get("fail_times", 1)) + 1:
            raise ConnectionError("search server went away")
        return {"calls": calls["flaky"]}

    def slow(db: Session, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
        progress(1, 4, "第一步")
        assert calls["release"].wait(10)
        progress(4, 4, "收尾")
        return {"ok": True}

    def writing(db: Session, params: dict[str, Any], progress: Progress) -> None:
        db.add(Enterprise(id="ent-written", name="上海写入科技有限公司", size=EnterpriseSize.SMALL))
        db.flush()  # on SQLite the job now holds the write lock until it commits
        started = time.monotonic()
        progress(1, 2, "写入中")
        calls["progress_seconds"] = time.monotonic() - started

    kinds = {"test.broken": broken, "test.flaky": flaky, "test.slow": slow,
             "test.writing": writing}  # fmt: skip
    for name, handler in kinds.items():
        registry.register(name, handler)
    yield calls
    for name in kinds:
        registry._KINDS.pop(name, None)


def job(db: Session, job_id: str) -> Job:
    db.expire_all()
    found = db.get(Job, job_id)
    assert found is not None
    return found


def shortlist_scene(make: Factory) -> dict[str, Any]:
    organiser = make.user(Role.ORGANISER)
    event = make.event(organiser, shortlist_size=2, sme_capacity=1)
    firm = make.enterprise(EnterpriseSize.LARGE)
    need = make.need(
        firm, title="12英寸晶圆厂电子特气本地化供应", description="寻找高纯NF3、WF6电子特气供应商"
    )
    make.event_need(event, need)
    for i in range(2):
        profile = make.profile(make.enterprise(), title=f"电子特气供应{i}", summary=GAS,
                               capabilities=["电子特气提纯"], open_to=["supply_chain"])  # fmt: skip
        make.event_sme(event, profile)
    return {"organiser": organiser, "event": event, "need": need}


# Running -----------------------------------------------------------------------------------
def test_a_shortlist_job_rebuilds_the_shortlists_and_records_the_result(
    db: Session, make: Factory, worker: Worker
) -> None:
    scene = shortlist_scene(make)
    submitted = service.submit(db, worker.queue, kind="events.shortlist",
                               params={"event_id": scene["event"].id},
                               created_by=scene["organiser"].id)  # fmt: skip
    assert (submitted.status, len(worker.queue)) == (JobStatus.QUEUED, 1)

    assert worker.run_next() == submitted.id

    done = job(db, submitted.id)
    stored = db.scalars(select(ShortlistEntry).where(ShortlistEntry.event_id == scene["event"].id))
    entries = [e for e in stored if not e.removed]
    assert (done.status, done.attempts, done.error) == (JobStatus.DONE, 1, None)
    assert (done.progress, done.total, done.percent) == (1, 1, 100)
    assert done.result == {"event_id": scene["event"].id, "needs": 1, "entries": len(entries),
                           "total_score": pytest.approx(sum(e.score for e in entries))}  # fmt: skip
    assert len(entries) == 2
    assert done.started_at is not None and done.finished_at is not None
    assert worker.run_next() is None  # acked: nothing left


def test_an_export_job_writes_the_file_under_the_data_dir(
    db: Session, make: Factory, worker: Worker, settings: Settings
) -> None:
    scene = shortlist_scene(make)
    submitted = service.submit(db, worker.queue, kind="events.export",
                               params={"event_id": scene["event"].id, "format": "csv"},
                               created_by=None)  # fmt: skip
    worker.run_next()
    done = job(db, submitted.id)
    assert done.status is JobStatus.DONE, done.error
    assert done.result is not None
    path = Path(done.result["path"])
    assert path.parent == settings.data_dir / "exports" / submitted.id
    assert (done.result["format"], done.result["what"]) == ("csv", "shortlists")
    assert path.stat().st_size == done.result["bytes"] > 0


def test_a_failed_job_records_the_error_and_keeps_none_of_its_changes(
    db: Session, worker: Worker, test_kinds: dict[str, Any]
) -> None:
    submitted = service.submit(db, worker.queue, kind="test.broken", params={"what": "this"},
                               created_by=None)  # fmt: skip
    worker.run_next()
    failed = job(db, submitted.id)
    assert (failed.status, failed.attempts) == (JobStatus.FAILED, 1)
    assert failed.error == "ValueError: cannot handle this"
    assert failed.finished_at is not None and failed.result is None
    assert db.get(Enterprise, "ent-half-done") is None


def test_a_domain_error_fails_the_job_with_its_message(db: Session, worker: Worker) -> None:
    submitted = service.submit(db, worker.queue, kind="events.shortlist",
                               params={"event_id": "no-such-event"}, created_by=None)  # fmt: skip
    worker.run_next()
    failed = job(db, submitted.id)
    assert failed.status is JobStatus.FAILED and "no-such-event" in (failed.error or "")


def test_a_transient_error_is_retried_until_it_works(
    db: Session, worker: Worker, test_kinds: dict[str, Any]
) -> None:
    submitted = service.submit(db, worker.queue, kind="test.flaky", params={"fail_times": 2},
                               created_by=None)  # fmt: skip
    worker.run_next()
    retrying = job(db, submitted.id)
    assert (retrying.status, retrying.attempts) == (JobStatus.QUEUED, 1)
    assert retrying.error == "ConnectionError: search server went away"
    assert len(worker.queue) == 1  # pushed again
    worker.run_next()
    worker.run_next()
    done = job(db, submitted.id)
    assert (done.status, done.attempts, done.result, done.error) == (
        JobStatus.DONE, 3, {"calls": 3}, None)  # fmt: skip


def test_a_transient_error_fails_the_job_once_the_attempts_are_used(
    db: Session, worker: Worker, test_kinds: dict[str, Any]
) -> None:
    submitted = service.submit(db, worker.queue, kind="test.flaky", params={"fail_times": 9},
                               created_by=None)  # fmt: skip
    while worker.run_next() is not None:
        pass
    failed = job(db, submitted.id)
    assert (failed.status, failed.attempts, test_kinds["flaky"]) == (JobStatus.FAILED, 3, 3)
    assert failed.error == "ConnectionError: search server went away"


def test_progress_is_visible_while_the_job_runs(
    db: Session, worker: Worker, test_kinds: dict[str, Any]
) -> None:
    submitted = service.submit(db, worker.queue, kind="test.slow", params={}, created_by=None)
    runner = threading.Thread(target=worker.run_next)
    runner.start()
    try:
        deadline = time.monotonic() + 5
        while job(db, submitted.id).progress != 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        running = job(db, submitted.id)
        assert (running.status, running.progress, running.total, running.message) == (
            JobStatus.RUNNING, 1, 4, "第一步")  # fmt: skip
        assert running.percent == 25
    finally:
        test_kinds["release"].set()
        runner.join(10)
    assert (job(db, submitted.id).status, job(db, submitted.id).progress) == (JobStatus.DONE, 4)


def test_progress_never_waits_for_the_jobs_own_write_lock(
    db: Session, worker: Worker, test_kinds: dict[str, Any]
) -> None:
    submitted = service.submit(db, worker.queue, kind="test.writing", params={}, created_by=None)
    worker.run_next()
    assert job(db, submitted.id).status is JobStatus.DONE
    assert db.get(Enterprise, "ent-written") is not None
    assert test_kinds["progress_seconds"] < 0.05


def test_a_job_queued_twice_runs_once(
    db: Session, worker: Worker, test_kinds: dict[str, Any]
) -> None:
    submitted = service.submit(db, worker.queue, kind="test.flaky", params={"fail_times": 0},
                               created_by=None)  # fmt: skip
    worker.queue.push(submitted.id)  # as after a recovery
    worker.run_next()
    worker.run_next()
    assert test_kinds["flaky"] == 1 and job(db, submitted.id).attempts == 1


def test_an_unknown_kind_is_refused_at_submission(db: Session, worker: Worker) -> None:
    from matchmaker.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        service.submit(db, worker.queue, kind="no.such.kind", params={}, created_by=None)
    assert db.scalars(select(Job)).all() == []


def test_the_embedded_worker_runs_jobs_while_the_app_serves(
    client: TestClient, app: Any, db: Session, make: Factory
) -> None:
    scene = shortlist_scene(make)
    submitted = service.submit(db, app.state.jobs, kind="events.shortlist",
                               params={"event_id": scene["event"].id}, created_by=None)  # fmt: skip
    deadline = time.monotonic() + 20
    while not job(db, submitted.id).finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job(db, submitted.id).status is JobStatus.DONE


def test_a_redis_worker_runs_a_job_a_dead_worker_left(
    db: Session, app: Any, settings: Settings, test_kinds: dict[str, Any]
) -> None:
    from matchmaker.jobs.redis import RedisJobQueue

    url, prefix = redis_url(), unique_prefix()
    dead = RedisJobQueue.from_url(url, prefix=prefix, heartbeat_seconds=0.2)
    submitted = service.submit(db, dead, kind="test.flaky", params={"fail_times": 0},
                               created_by=None)  # fmt: skip
    assert dead.pop(timeout=1) == submitted.id
    dead.close()  # the process died before running it
    time.sleep(0.4)
    live = RedisJobQueue.from_url(url, prefix=prefix)
    from matchmaker.jobs.runner import WorkerThreads

    threads = WorkerThreads(Worker(app.state.database, live, settings), once=True).start()
    for thread in threads.threads:
        thread.join(10)
    live.close()
    assert (job(db, submitted.id).status, test_kinds["flaky"]) == (JobStatus.DONE, 1)


# Pages and API -----------------------------------------------------------------------------
@pytest.fixture
def jobs(client: TestClient, make: Factory, db: Session) -> dict[str, Any]:
    """A running job and a finished one of an SME member, made after the app started."""
    owner = make.user(Role.SME, make.enterprise())
    running = Job(id="job-running", kind="import", params={}, status=JobStatus.RUNNING,
                  progress=3, total=12, message="reading enterprises.jsonl", attempts=1,
                  created_by=owner.id)  # fmt: skip
    done = Job(id="job-done", kind="events.shortlist", params={}, status=JobStatus.DONE,
               progress=1, total=1, result={"event_id": "event-1"}, attempts=1,
               created_by=owner.id)  # fmt: skip
    db.add_all([running, done])
    db.commit()
    return {"owner": owner, "running": running, "done": done}


def test_the_creator_sees_the_progress_and_the_bar_polls_until_done(
    client: TestClient, jobs: dict[str, Any]
) -> None:
    page_login(client, jobs["owner"].email)
    page = client.get("/jobs/job-running")
    assert page.status_code == 200
    assert "导入数据" in page.text and "进行中" in page.text
    assert 'value="25"' in page.text and "25%" in page.text and "(3 / 12)" in page.text
    assert 'hx-get="/jobs/job-running/status"' in page.text and "every 2s" in page.text
    fragment = client.get("/jobs/job-running/status")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="job-status"' in fragment.text
    finished = client.get("/jobs/job-done/status").text
    assert "已完成" in finished and "hx-get" not in finished
    assert "/events/event-1/shortlists" in finished


def test_admins_see_every_job(client: TestClient, make: Factory, jobs: dict[str, Any]) -> None:
    viewer = make.user(Role.ADMIN)
    page_login(client, viewer.email)
    assert client.get("/jobs/job-running").status_code == 200
    assert (
        client.get("/api/v1/jobs/job-running", headers=make.token_headers(viewer)).status_code
        == 200
    )


def test_another_organiser_does_not_see_a_job_they_did_not_start(
    client: TestClient, make: Factory, jobs: dict[str, Any]
) -> None:
    # Export jobs carry an event's shortlist file: an organiser sees only their own.
    other = make.user(Role.ORGANISER)
    page_login(client, other.email)
    assert client.get("/jobs/job-done").status_code == 404
    assert client.get("/api/v1/jobs/job-done", headers=make.token_headers(other)).status_code == 404


def test_other_users_get_not_found(client: TestClient, make: Factory, jobs: dict[str, Any]) -> None:
    stranger = make.user(Role.SME, make.enterprise())
    page_login(client, stranger.email)
    assert client.get("/jobs/job-running").status_code == 404
    assert client.get("/jobs/job-running/status").status_code == 404
    assert client.get("/jobs/no-such-job").status_code == 404
    api = client.get("/api/v1/jobs/job-running", headers=make.token_headers(stranger))
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem")


def test_visitors_are_sent_to_log_in_and_the_api_wants_a_user(
    client: TestClient, jobs: dict[str, Any]
) -> None:
    response = client.get("/jobs/job-running", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/api/v1/jobs/job-running").status_code == 401


def test_the_api_reports_status_and_progress(
    client: TestClient, make: Factory, jobs: dict[str, Any]
) -> None:
    response = client.get("/api/v1/jobs/job-running", headers=make.token_headers(jobs["owner"]))
    body = response.json()
    assert response.status_code == 200
    assert {k: body[k] for k in ("id", "kind", "status", "progress", "total", "percent",
                                 "message", "result", "error", "download_url")} == {
        "id": "job-running", "kind": "import", "status": "running", "progress": 3, "total": 12,
        "percent": 25, "message": "reading enterprises.jsonl", "result": None, "error": None,
        "download_url": None,
    }  # fmt: skip


def test_an_export_jobs_file_downloads_from_its_page(
    client: TestClient, app: Any, db: Session, make: Factory, settings: Settings
) -> None:
    scene = shortlist_scene(make)
    submitted = service.submit(db, MemoryJobQueue(), kind="events.export",
                               params={"event_id": scene["event"].id, "format": "xlsx"},
                               created_by=scene["organiser"].id)  # fmt: skip
    worker = Worker(app.state.database, MemoryJobQueue(), settings)
    worker.queue.push(submitted.id)
    worker.run_next()
    page_login(client, scene["organiser"].email)
    assert 'href="/jobs/' + submitted.id + '/download"' in client.get(f"/jobs/{submitted.id}").text
    download = client.get(f"/jobs/{submitted.id}/download")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert download.headers["cache-control"] == "no-store"
    api = client.get(f"/api/v1/jobs/{submitted.id}", headers=make.token_headers(scene["organiser"]))
    assert api.json()["download_url"] == f"/jobs/{submitted.id}/download"
    assert "path" not in api.json()["result"]


# Command line ------------------------------------------------------------------------------
@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "cli"
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(data_dir))
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("MATCHMAKER_REDIS_URL", raising=False)
    return data_dir


def _records(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_submit_wait_runs_an_import_and_shows_the_outcome(cli_env: Path, tmp_path: Path) -> None:
    source = _records(tmp_path / "enterprises.jsonl",
                      {"id": "e-1", "name": "上海临芯微电子科技有限公司", "size": "small"})  # fmt: skip
    runner = CliRunner()
    result = runner.invoke(cli_app, ["jobs", "submit", "import", "--param", "kind=enterprises",
                                     "--param", f"path={source}", "--wait"])  # fmt: skip
    assert result.exit_code == 0, result.output
    job_id = result.stdout.splitlines()[0]
    assert job_id.startswith("job-")
    assert "enterprises: 1 created, 0 updated, 0 unchanged" in result.stdout
    shown = runner.invoke(cli_app, ["jobs", "show", job_id])
    assert shown.exit_code == 0 and f"{job_id}  import  done  attempts 1" in shown.stdout
    assert "100%" in shown.stdout
    listed = [
        json.loads(line) for line in runner.invoke(cli_app, ["jobs", "list"]).stdout.splitlines()
    ]
    assert [(row["id"], row["status"]) for row in listed] == [(job_id, "done")]


def test_submit_wait_exits_1_with_the_error_and_imports_nothing(
    cli_env: Path, tmp_path: Path
) -> None:
    source = _records(tmp_path / "enterprises.jsonl",
                      {"id": "e-1", "name": "上海临芯微电子科技有限公司", "size": "small"},
                      {"id": "e-2", "name": "", "size": "tiny"})  # fmt: skip
    result = CliRunner().invoke(cli_app, ["jobs", "submit", "import", "-p", "kind=enterprises",
                                          "-p", f"path={source}", "--wait"])  # fmt: skip
    assert result.exit_code == 1
    assert "failed: import failed" in result.output and "nothing was written" in result.output
    database = Database(f"sqlite:///{cli_env / 'matchmaker.sqlite3'}")
    with database.session() as db:
        assert db.get(Enterprise, "e-1") is None
    database.dispose()


def test_a_queued_job_waits_for_matchmaker_worker_once(cli_env: Path, tmp_path: Path) -> None:
    source = _records(tmp_path / "enterprises.jsonl",
                      {"id": "e-1", "name": "上海临芯微电子科技有限公司", "size": "small"})  # fmt: skip
    runner = CliRunner()
    queued = runner.invoke(cli_app, ["jobs", "submit", "import", "-p", "kind=enterprises",
                                     "-p", f"path={source}"])  # fmt: skip
    job_id = queued.stdout.strip()
    assert "queued" in runner.invoke(cli_app, ["jobs", "show", job_id]).stdout
    worked = runner.invoke(cli_app, ["worker", "--once"])
    assert worked.exit_code == 0, worked.output
    assert "done" in runner.invoke(cli_app, ["jobs", "show", job_id]).stdout


def test_submit_refuses_an_unknown_kind_and_a_bad_param(cli_env: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(cli_app, ["jobs", "submit", "no.such.kind"])
    assert unknown.exit_code == 1 and "events.shortlist" in unknown.output
    bad = runner.invoke(cli_app, ["jobs", "submit", "import", "--param", "novalue"])
    assert bad.exit_code == 1 and "key=value" in bad.output
