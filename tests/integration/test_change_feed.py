"""The change log as an outbox: readers from a cursor never lose a change committed late."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from matchmaker.changes import service as changes
from matchmaker.changes.models import Change


def add(db: Session, seq: int, record_id: str) -> None:
    db.execute(insert(Change), [{"seq": seq, "kind": "needs", "record_id": record_id}])
    db.commit()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_seq_committed_after_a_later_one_is_still_read(db: Session) -> None:
    clock = Clock()
    feed = changes.ChangeFeed(settle=30, clock=clock)
    add(db, 1, "n1")
    add(db, 3, "n3")  # seq 2 belongs to a transaction that has not committed yet
    newest, changed = feed.read(db, 0)
    assert (newest, changed["needs"]) == (3, {"n1", "n3"})
    assert set(feed.gaps) == {2}
    add(db, 2, "n2")  # ...and now it has
    clock.now = 5
    newest, changed = feed.read(db, 3)
    assert (newest, changed["needs"]) == (3, {"n2"})
    assert feed.gaps == {}


def test_a_gap_that_never_fills_is_forgotten_after_the_settle_time(db: Session) -> None:
    clock = Clock()
    feed = changes.ChangeFeed(settle=30, clock=clock)
    add(db, 1, "n1")
    add(db, 3, "n3")  # seq 2 was rolled back
    feed.read(db, 0)
    clock.now = 31
    assert feed.read(db, 3) == (3, {"enterprises": set(), "profiles": set(), "needs": set()})
    assert feed.gaps == {}


def test_upto_bounds_the_read(db: Session) -> None:
    feed = changes.ChangeFeed()
    for seq in (1, 2, 3):
        add(db, seq, f"n{seq}")
    assert feed.read(db, 0, upto=2) == (
        2,
        {"enterprises": set(), "profiles": set(), "needs": {"n1", "n2"}},
    )


def test_cursors_are_kept_per_index(db: Session) -> None:
    assert changes.cursor(db, "mm-needs") is None
    changes.advance(db, "mm-needs", 7)
    changes.advance(db, "mm-profiles", 3)
    changes.advance(db, "mm-needs", 9)
    assert (changes.cursor(db, "mm-needs"), changes.cursor(db, "mm-profiles")) == (9, 3)
