"""Settings, the database engine and migrations."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

from matchmaker import migrate
from matchmaker.config import Settings, load_settings
from matchmaker.db import Database
from matchmaker.models import Base


def test_defaults_put_everything_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("MATCHMAKER_SECRET_KEY", raising=False)
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(tmp_path / "one"))
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'one' / 'matchmaker.sqlite3'}"
    stored = (tmp_path / "one" / "secret_key").read_text()
    assert settings.secret_key == stored and len(stored) >= 32
    assert load_settings().secret_key == stored  # stable across restarts
    assert load_settings(data_dir=tmp_path / "two").secret_key != stored  # never shared


def test_secret_key_from_the_environment_must_be_strong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHMAKER_SECRET_KEY", "short")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()


def test_migrations_build_exactly_the_models_schema(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert migrate.upgrade(database) is True
    assert migrate.upgrade(database) is False  # already current: nothing runs
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    database.dispose()


def test_migrations_downgrade_to_nothing_and_back(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    command.downgrade(migrate.alembic_config(url), "base")
    assert set(inspect(database.engine).get_table_names()) == {"alembic_version"}
    assert migrate.upgrade(database) is True
    assert {"enterprises", "profiles", "needs", "users"} <= set(
        inspect(database.engine).get_table_names()
    )
    database.dispose()


@pytest.fixture
def empty_postgres_url(_pg_admin: tuple[Engine, URL, str] | None) -> Iterator[str]:
    """A new, empty PostgreSQL database (not a copy of the migrated template)."""
    if _pg_admin is None:
        pytest.skip("MATCHMAKER_TEST_DATABASE_URL is not set (make test-postgres)")
    admin, base, _template = _pg_admin
    name = f"mm_empty_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_postgres_migrations_build_exactly_the_models_schema(empty_postgres_url: str) -> None:
    database = Database(empty_postgres_url)
    assert database.engine.dialect.name == "postgresql"
    assert migrate.upgrade(database) is True
    assert migrate.upgrade(database) is False
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    database.dispose()


def test_postgres_migrations_downgrade_to_nothing_and_back(empty_postgres_url: str) -> None:
    from alembic import command

    database = Database(empty_postgres_url)
    migrate.upgrade(database)
    command.downgrade(migrate.alembic_config(empty_postgres_url), "base")
    assert set(inspect(database.engine).get_table_names()) == {"alembic_version"}
    assert migrate.upgrade(database) is True
    assert {"enterprises", "profiles", "needs", "users"} <= set(
        inspect(database.engine).get_table_names()
    )
    database.dispose()
