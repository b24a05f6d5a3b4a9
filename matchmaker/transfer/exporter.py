"""Export every record of a kind, streamed from the database in id order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.needs.service import expire_overdue
from matchmaker.transfer.importer import Progress, no_progress
from matchmaker.transfer.kinds import NEEDS, Kind
from matchmaker.transfer.writers import WRITERS


def count(db: Session, kind: Kind) -> int:
    return db.scalar(select(func.count()).select_from(kind.table)) or 0


def iter_records(db: Session, kind: Kind) -> Iterator[dict[str, Any]]:
    table: Any = kind.table
    columns = [getattr(table, name) for name in kind.fields]
    result = db.execute(select(*columns).order_by(table.id).execution_options(yield_per=2000))
    for row in result:
        yield {key: getattr(value, "value", value) for key, value in row._mapping.items()}


def export(
    db: Session, kind: Kind, fmt: str, stream: BinaryIO, *, progress: Progress[Any] = no_progress
) -> int:
    writer = WRITERS[fmt]
    if kind is NEEDS:
        expire_overdue(db)  # an export must not show a need as open past its deadline
    records = progress(iter_records(db, kind), count(db, kind), f"exporting {kind.name}")
    return writer.write(kind, records, stream)
