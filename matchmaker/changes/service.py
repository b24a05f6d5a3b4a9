"""Append to and read the change log; callers commit with their own write.

The log is also the outbox of the search engine: a write and its change row commit in one
transaction, and `ChangeFeed` readers deliver from a cursor, so no update is lost when an
index is away; it is delivered when the index returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Literal

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from matchmaker.changes.models import Change, DeliveryCursor

ChangeKind = Literal["enterprises", "profiles", "needs"]
Changed = dict[str, set[str]]
SETTLE_SECONDS = 30.0
MAX_GAPS = 10_000


def record(db: Session, kind: ChangeKind, record_ids: Iterable[str]) -> None:
    rows = [{"kind": kind, "record_id": record_id} for record_id in record_ids]
    if rows:
        db.execute(insert(Change), rows)


def latest(db: Session) -> int:
    return db.scalar(select(func.max(Change.seq))) or 0


def since(db: Session, seq: int) -> tuple[int, Changed]:
    """Record ids changed after `seq`, by kind, and the newest seq seen."""
    return ChangeFeed().read(db, seq)


class ChangeFeed:
    """Reads the log after a cursor and, for a while, the seqs it skipped over.

    On PostgreSQL a transaction can take seq k and commit after seq k+1 is visible; a
    reader that moved its cursor past k would never see it. So a seq missing below the
    newest one read is remembered as a gap and asked for again on each read until it
    appears or SETTLE_SECONDS pass (a rolled-back write leaves a gap forever).
    """

    def __init__(
        self, settle: float = SETTLE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settle = settle
        self.clock = clock
        self.gaps: dict[int, float] = {}  # seq → when first missed

    def read(self, db: Session, seq: int, upto: int | None = None) -> tuple[int, Changed]:
        """Changes after `seq` (and up to `upto`, when given), plus any gap that appeared."""
        now = self.clock()
        self.gaps = {gap: seen for gap, seen in self.gaps.items() if now - seen < self.settle}
        condition = Change.seq > seq
        if self.gaps:
            condition = or_(condition, Change.seq.in_(sorted(self.gaps)))
        if upto is not None:
            condition = and_(condition, Change.seq <= upto)
        changed: Changed = {"enterprises": set(), "profiles": set(), "needs": set()}
        newest, seen = seq, set()
        for row in db.execute(select(Change.seq, Change.kind, Change.record_id).where(condition)):
            changed.setdefault(row.kind, set()).add(row.record_id)
            newest = max(newest, row.seq)
            seen.add(row.seq)
        for gap in seen & self.gaps.keys():
            del self.gaps[gap]
        if newest - seq - len(seen) < MAX_GAPS:  # a fresh cursor on an old log has no gaps
            for missing in range(seq + 1, newest):
                if missing not in seen:
                    self.gaps.setdefault(missing, now)
        return newest, changed


def cursor(db: Session, name: str) -> int | None:
    """How far the index `name` has received the log; None before its first build."""
    return db.scalar(select(DeliveryCursor.seq).where(DeliveryCursor.name == name))


def advance(db: Session, name: str, seq: int) -> None:
    """Record that `name` has received everything up to `seq`, and commit."""
    row = db.get(DeliveryCursor, name)
    if row is None:
        db.add(DeliveryCursor(name=name, seq=seq))
    else:
        row.seq = seq
    db.commit()
