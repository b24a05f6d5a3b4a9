"""What every `matchmaker` subcommand shares: settings, a migrated session, errors, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from sqlalchemy.orm import Session
from tqdm import tqdm

from matchmaker import migrate
from matchmaker.config import Settings, load_settings
from matchmaker.db import Database

T = TypeVar("T")
PROGRESS_THRESHOLD = 2000


def progress_bar(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    """A bar on stderr for work of more than a few thousand records."""
    if total <= PROGRESS_THRESHOLD:
        return items
    return tqdm(items, total=total, desc=label, unit=" rec", file=sys.stderr, leave=False)


def settings() -> Settings:
    return load_settings()


@contextmanager
def session() -> Iterator[Session]:
    """A session on the configured database, migrated first so any command works on a fresh dir."""
    database = Database(settings().db_url)
    try:
        migrate.upgrade(database)
        with database.session() as db:
            yield db
    finally:
        database.dispose()


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)
