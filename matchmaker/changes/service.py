"""Append to and read the change log; callers commit with their own write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matchmaker.changes.models import Change

ChangeKind = Literal["enterprises", "profiles", "needs"]


def record(db: Session, kind: ChangeKind, record_ids: Iterable[str]) -> None:
    rows = [{"kind": kind, "record_id": record_id} for record_id in record_ids]
    if rows:
        db.execute(insert(Change), rows)


def latest(db: Session) -> int:
    return db.scalar(select(func.max(Change.seq))) or 0


def since(db: Session, seq: int) -> tuple[int, dict[str, set[str]]]:
    """Record ids changed after `seq`, by kind, and the newest seq seen."""
    changed: dict[str, set[str]] = {"enterprises": set(), "profiles": set(), "needs": set()}
    newest = seq
    for row in db.execute(
        select(Change.seq, Change.kind, Change.record_id).where(Change.seq > seq)
    ):
        changed.setdefault(row.kind, set()).add(row.record_id)
        newest = max(newest, row.seq)
    return newest, changed
