"""Job kinds and their handlers; another module adds its own with `register`.

A handler is `handler(db, params, progress) -> result`: it does the work in `db` (the
worker commits on success and rolls back on failure), reports with `progress(done, total,
message)` and returns a JSON object kept as the job's result (or None).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from matchmaker.jobs.models import Job

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from matchmaker.config import Settings
    from matchmaker.db import Database
    from matchmaker.matching.service import MatchingService

PROGRESS_INTERVAL = 0.25  # seconds between progress writes, besides the first and the last


@dataclass
class Progress:
    """A running job's side of the conversation: what it may use and how it reports.

    `progress(done, total, message)` writes to the job row in a short transaction of its
    own, so the portal sees it while the job's work is still uncommitted. On SQLite, while
    the job itself holds the write lock, updates are skipped rather than waited for.
    """

    job_id: str
    actor_id: str | None  # who submitted the job: handlers act with their permissions
    database: Database
    settings: Settings
    matching_factory: Callable[[], MatchingService]
    # True while the job's own session holds SQLite's one write lock: then writing would
    # only wait, so the update is left out (the final status is written when the job ends).
    write_locked: Callable[[], bool] = lambda: False
    _last_write: float = field(default=0.0, init=False)

    @property
    def matching(self) -> MatchingService:
        return self.matching_factory()

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        now = time.monotonic()
        if done not in (0, total) and now - self._last_write < PROGRESS_INTERVAL:
            return
        if self.write_locked():
            return
        self._last_write = now
        values = {"progress": done, "total": total, "message": message[:500]}
        try:
            with self.database.engine.connect() as connection:
                sqlite = connection.dialect.name == "sqlite"
                if sqlite:
                    connection.exec_driver_sql("PRAGMA busy_timeout=100")
                try:
                    connection.execute(update(Job).where(Job.id == self.job_id).values(values))
                    connection.commit()
                finally:
                    if sqlite:
                        connection.exec_driver_sql("PRAGMA busy_timeout=10000")
        except SQLAlchemyError:  # progress is a courtesy: never fail the job over it
            return


Handler = Callable[["Session", dict[str, Any], Progress], dict[str, Any] | None]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # an English msgid, translated where shown
    handler: Handler


_KINDS: dict[str, Kind] = {}
_lock = threading.RLock()
_builtins_loaded = False


def register(name: str, handler: Handler, *, label: str | None = None) -> None:
    """Make `name` a job kind run by `handler` (registering a name again replaces it)."""
    with _lock:
        _KINDS[name] = Kind(name, label or name, handler)


def kinds() -> dict[str, Kind]:
    """Every registered kind, the built-in ones (matchmaker.jobs.kinds) included."""
    global _builtins_loaded
    with _lock:
        if not _builtins_loaded:
            from matchmaker.jobs import kinds as builtin

            _builtins_loaded = True
            builtin.register_all()
        return dict(_KINDS)


def get(name: str) -> Kind | None:
    return kinds().get(name)


def label(name: str) -> str:
    kind = get(name)
    return kind.label if kind else name
