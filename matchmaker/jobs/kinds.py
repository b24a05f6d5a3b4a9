"""The built-in job kinds: an event's shortlists, an event's export file, a record import,
and rebuilding the indices.

`index.rebuild` lives with the rest of the indexing code (matchmaker/indexing.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.errors import ValidationFailed
from matchmaker.i18n import N_
from matchmaker.jobs.registry import Progress, register

T = TypeVar("T")
EXPORTS_DIR = "exports"  # under the data dir: exports/<job id>/<file name>


class JobFailed(Exception):
    """A permanent failure whose text is the job's error (no retry)."""


def _actor(db: Session, progress: Progress) -> User | None:
    return db.get(User, progress.actor_id) if progress.actor_id else None


def _param(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"the job needs the parameter {name!r}")
    return value


def shortlist(db: Session, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Regenerate an event's shortlists, keeping the organiser's pins and removals."""
    from matchmaker.events import shortlists

    event_id = _param(params, "event_id")
    actor = _actor(db, progress)
    progress(0, 1, N_("scoring and allocating"))
    overview = shortlists.regenerate(
        db, progress.matching, actor=actor, event_id=event_id, system=actor is None
    )
    progress(1, 1, N_("shortlists rebuilt"))
    return {
        "event_id": event_id,
        "needs": len(overview.needs),
        "entries": sum(len(need.rows) for need in overview.needs),
        "total_score": overview.total,
    }


def export(db: Session, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Write an event's shortlists (or run-sheet) to a file under DATA_DIR/exports."""
    from matchmaker.events import exports
    from matchmaker.exports import RUN_SHEETS, SHORTLISTS

    event_id, what = _param(params, "event_id"), str(params.get("what") or "shortlists")
    fmt = str(params.get("format") or "xlsx")
    actor = _actor(db, progress)
    progress(0, 2, N_("collecting"))
    if what == "shortlists":
        shortlist_exporter = SHORTLISTS.get(fmt)
        if shortlist_exporter is None:
            raise JobFailed(f"the shortlists come as {', '.join(SHORTLISTS.formats)}")
        data = exports.shortlists(db, actor=actor, event_id=event_id, system=actor is None)
        content, name = shortlist_exporter.render(data), shortlist_exporter.filename(data.event)
        content_type = shortlist_exporter.content_type
    elif what == "runsheet":
        sheet_exporter = RUN_SHEETS.get(fmt)
        if sheet_exporter is None:
            raise JobFailed(f"the run-sheet comes as {', '.join(RUN_SHEETS.formats)}")
        sheet = exports.run_sheet(db, actor=actor, event_id=event_id, system=actor is None)
        content, name = sheet_exporter.render(sheet), sheet_exporter.filename(sheet.event)
        content_type = sheet_exporter.content_type
    else:
        raise JobFailed(f"no export {what!r}; choose shortlists or runsheet")
    progress(1, 2, N_("writing the file"))
    path = progress.settings.data_dir / EXPORTS_DIR / progress.job_id / name
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(content)
    temporary.replace(path)
    progress(2, 2, N_("written"))
    return {"event_id": event_id, "what": what, "format": fmt, "path": str(path),
            "filename": name, "content_type": content_type, "bytes": len(content)}  # fmt: skip


def import_records(db: Session, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """`matchmaker import` as a job: one file of a kind, or a directory ('all'); atomic."""
    from matchmaker.fixtures.demo import RecordDirectoryError, record_files
    from matchmaker.transfer.importer import ImportFailed, import_files
    from matchmaker.transfer.kinds import KINDS

    kind, path = _param(params, "kind"), Path(_param(params, "path"))
    if kind == "all":
        try:
            files = record_files(path)
        except RecordDirectoryError as error:
            raise JobFailed(str(error)) from None
    elif kind in KINDS:
        files = [(kind, path)]
    else:
        raise JobFailed(f"no record kind {kind!r}; choose {', '.join(KINDS)} or all")
    try:
        report = import_files(
            db, files, skip_invalid=_flag(params.get("skip_invalid")), progress=_reporter(progress)
        )
    except ImportFailed as failure:
        raise JobFailed(f"{failure}\n{failure.details()}") from None
    return {
        "summary": report.summary(),
        "issues": [str(issue) for issue in report.issues],
        "notices": list(report.notices),
    }


def _flag(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


def _reporter(progress: Progress) -> Any:
    """The importer's progress-bar hook, reporting each stage's items to the job row."""

    def report(items: Iterable[T], total: int, label: str) -> Iterator[T]:
        progress(0, total, label)
        for done, item in enumerate(items, start=1):
            yield item
            progress(done, total, label)

    return report


def register_all() -> None:
    register("events.shortlist", shortlist, label=N_("Rebuild an event's shortlists"))
    register("events.export", export, label=N_("Export an event's shortlists"))
    register("import", import_records, label=N_("Import records"))
    from matchmaker.indexing import rebuild_job

    register("index.rebuild", rebuild_job, label=N_("Rebuild the search indices"))
