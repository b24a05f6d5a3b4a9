"""Import records atomically: validate everything first, then upsert in one transaction.

A failed import changes nothing and lists every bad record (location, id, field, reason);
with skip_invalid the valid records are written and the rest reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from matchmaker.changes import service as changes
from matchmaker.db import utcnow
from matchmaker.enterprises.models import Enterprise
from matchmaker.fields import EnterpriseSize, NeedStatus
from matchmaker.transfer.kinds import ENTERPRISES, KINDS, NEEDS, Kind, to_plain
from matchmaker.transfer.readers import FileUnreadable, Issue, RawRecord, read_source
from matchmaker.validation import field_errors

T = TypeVar("T")
Progress = Callable[[Iterable[T], int, str], Iterable[T]]
CHUNK = 500


def no_progress(items: Iterable[T], total: int, label: str) -> Iterable[T]:  # noqa: ARG001
    return items


@dataclass
class KindReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0


@dataclass
class ImportReport:
    kinds: dict[str, KindReport] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for name, counts in self.kinds.items():
            text = (
                f"{name}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged"
            )
            if counts.invalid:
                text += f", {counts.invalid} invalid (skipped)"
            parts.append(text)
        return "\n".join(parts)


class ImportFailed(Exception):
    """Nothing was written; `issues` lists every bad record."""

    def __init__(self, issues: Sequence[Issue], notices: Sequence[str] = ()) -> None:
        self.issues = list(issues)
        self.notices = list(notices)
        super().__init__(f"import failed: {len(self.issues)} problem(s); nothing was written")

    def details(self, limit: int = 200) -> str:
        lines = [str(issue) for issue in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(f"... and {len(self.issues) - limit} more")
        return "\n".join(lines)


@dataclass
class _Batch:
    kind: Kind
    label: str
    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (location, values)
    invalid: int = 0


def import_files(
    db: Session,
    files: Sequence[tuple[str, Path]],
    *,
    skip_invalid: bool = False,
    progress: Progress[Any] = no_progress,
) -> ImportReport:
    """Import (kind, path) pairs in one transaction; enterprises first, as others refer to them."""
    order = {name: index for index, name in enumerate(KINDS)}
    report = ImportReport()
    batches: list[_Batch] = []
    for kind_name, path in sorted(files, key=lambda pair: order[pair[0]]):
        batch, issues, notices = _parse(KINDS[kind_name], path, progress)
        batches.append(batch)
        report.issues.extend(issues)
        report.notices.extend(notices)
    report.issues.extend(_check_references(db, batches))
    report.issues.extend(_check_unique_uscc(db, batches))
    bad = {(issue.location, issue.record_id) for issue in report.issues}
    if report.issues and not skip_invalid:
        raise ImportFailed(report.issues, report.notices)
    try:
        for batch in batches:
            valid = [
                values for location, values in batch.rows if (location, values["id"]) not in bad
            ]
            counts = _upsert(db, batch.kind, valid, progress)
            counts.invalid = batch.invalid + (len(batch.rows) - len(valid))
            report.kinds[batch.kind.name] = counts
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return report


def _parse(
    kind: Kind, path: Path, progress: Progress[Any]
) -> tuple[_Batch, list[Issue], list[str]]:
    try:
        source = read_source(path, kind)
    except FileUnreadable as error:
        return _Batch(kind, path.name), [Issue(path.name, None, "(file)", str(error))], []
    batch = _Batch(kind, path.name)
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    raw: RawRecord
    for raw in progress(source.records, source.total, f"reading {path.name}"):
        location = f"{path.name} {raw.location}"
        record_id = raw.values.get("id") if isinstance(raw.values.get("id"), str) else None
        try:
            record = kind.record.model_validate(raw.values)
        except ValidationError as error:
            issues.extend(
                Issue(location, record_id, e.field, e.message) for e in field_errors(error)
            )
            batch.invalid += 1
            continue
        values = to_plain(record, kind)
        if values["id"] in seen:
            issues.append(
                Issue(
                    location,
                    values["id"],
                    "id",
                    f"duplicate id, first used at {seen[values['id']]}",
                )
            )
            batch.invalid += 1
            continue
        seen[values["id"]] = location
        batch.rows.append((location, values))
    for issue in source.issues:
        issues.append(
            Issue(f"{path.name} {issue.location}", issue.record_id, issue.field, issue.message)
        )
        batch.invalid += 1
    return batch, issues, source.notices


def _check_references(db: Session, batches: list[_Batch]) -> Iterator[Issue]:
    """Profiles and needs must name an enterprise of the right size, here or in the database."""
    sizes: dict[str, str] = {}
    for batch in batches:
        if batch.kind is ENTERPRISES:
            sizes.update({values["id"]: values["size"] for _, values in batch.rows})
    wanted = {v["enterprise_id"] for b in batches if b.kind.owned for _, v in b.rows} - set(sizes)
    for chunk in _chunks(sorted(wanted)):
        rows = db.execute(select(Enterprise.id, Enterprise.size).where(Enterprise.id.in_(chunk)))
        sizes.update({row.id: EnterpriseSize(row.size).value for row in rows})
    for batch in batches:
        if not batch.kind.owned:
            continue
        for location, values in batch.rows:
            owner = values["enterprise_id"]
            size = sizes.get(owner)
            if size is None:
                message = f"unknown enterprise {owner!r} (not in the database nor in this import)"
                yield Issue(location, values["id"], "enterprise_id", message)
            elif batch.kind is NEEDS and size != EnterpriseSize.LARGE.value:
                message = f"enterprise {owner!r} is {size}; needs are posted by large enterprises"
                yield Issue(location, values["id"], "enterprise_id", message)
            elif batch.kind is not NEEDS and size == EnterpriseSize.LARGE.value:
                message = f"enterprise {owner!r} is large; capability profiles belong to SMEs"
                yield Issue(location, values["id"], "enterprise_id", message)


def _check_unique_uscc(db: Session, batches: list[_Batch]) -> Iterator[Issue]:
    holders: dict[str, tuple[str, str]] = {}
    for batch in batches:
        if batch.kind is not ENTERPRISES:
            continue
        for location, values in batch.rows:
            code = values["uscc"]
            if code is None:
                continue
            if code in holders:
                first = holders[code]
                yield Issue(
                    location,
                    values["id"],
                    "uscc",
                    f"{code} is also given to {first[0]!r} at {first[1]}",
                )
            else:
                holders[code] = (values["id"], location)
    for chunk in _chunks(sorted(holders)):
        rows = db.execute(select(Enterprise.id, Enterprise.uscc).where(Enterprise.uscc.in_(chunk)))
        for row in rows:
            record_id, location = holders[row.uscc]
            if row.id != record_id:
                yield Issue(
                    location,
                    record_id,
                    "uscc",
                    f"{row.uscc} is already registered to enterprise {row.id!r}",
                )


def _upsert(
    db: Session, kind: Kind, records: list[dict[str, Any]], progress: Progress[Any]
) -> KindReport:
    table: Any = kind.table
    counts = KindReport()
    columns = [getattr(table, name) for name in kind.fields]
    if kind is NEEDS:
        columns.append(table.closed_at)
    now = utcnow()
    chunks = list(_chunks(records))
    for chunk in progress(chunks, len(chunks), f"writing {kind.name}"):
        ids = [values["id"] for values in chunk]
        existing = {
            row.id: {key: _plain_value(value) for key, value in row._mapping.items()}
            for row in db.execute(select(*columns).where(table.id.in_(ids)))
        }
        inserts, updates = [], []
        for values in chunk:
            before = existing.get(values["id"])
            extra = _lifecycle(kind, values, before, now)
            if before is None:
                inserts.append({**values, **extra, "created_at": now, "updated_at": now})
            elif any(before[name] != values[name] for name in kind.fields):
                updates.append({**values, **extra, "updated_at": now})
            else:
                counts.unchanged += 1
        if inserts:
            db.execute(insert(table), inserts)
        if updates:
            db.execute(update(table), updates)
        changes.record(db, kind.name, [row["id"] for row in (*inserts, *updates)])
        counts.created += len(inserts)
        counts.updated += len(updates)
    return counts


def _lifecycle(
    kind: Kind, values: dict[str, Any], before: dict[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """Needs closed by an import get a closing time (kept if already closed); open ones none."""
    if kind is not NEEDS:
        return {}
    if values["status"] != NeedStatus.CLOSED.value:
        return {"closed_at": None}
    if before is not None and before["status"] == NeedStatus.CLOSED.value:
        return {"closed_at": before["closed_at"] or now}
    return {"closed_at": now}


def _plain_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
