"""PostgreSQL backups through the client tools: `pg_dump -Fc` and `pg_restore`.

The connection comes from MATCHMAKER_DATABASE_URL; it is passed to the tools as PG*
environment variables so the password never shows on a command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, make_url

from matchmaker.db import Database

Say = Callable[[str], None]
DUMP_HINT = "pg_dump -Fc -f BACKUP/matchmaker.pgdump DBNAME"
RESTORE_HINT = "pg_restore --clean --if-exists --no-owner -d DBNAME BACKUP/matchmaker.pgdump"


def _error(message: str) -> Exception:
    from matchmaker.backup import BackupError

    return BackupError(message)


def require_restore_tool() -> None:
    """Fail before touching anything when pg_restore is missing."""
    _tool("pg_restore", RESTORE_HINT)


def _tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise _error(
            f"{name} is not on PATH: install the PostgreSQL client tools (of the server's major "
            f"version or newer), or run by hand: {hint} (see docs/operations.md)"
        )
    return path


def _environment(url: str) -> tuple[dict[str, str], str]:
    """PG* variables for libpq and the database name."""
    parsed = make_url(url)
    env = dict(os.environ)
    pairs = {"PGHOST": parsed.host, "PGPORT": parsed.port, "PGUSER": parsed.username,
             "PGPASSWORD": parsed.password}  # fmt: skip
    for variable, value in pairs.items():
        if value is not None:
            env[variable] = str(value)
    if not parsed.database:
        raise _error("MATCHMAKER_DATABASE_URL names no database")
    return env, parsed.database


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise _error(
            f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}"
        )


def revision(url: str) -> str:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        database.dispose()
    if current is None:
        raise _error("the database has no schema revision; run `matchmaker migrate` first")
    return current


def table_count(url: str) -> int:
    database = Database(url)
    try:
        return len(inspect(database.engine).get_table_names())
    finally:
        database.dispose()


def dump(url: str, file: Path, say: Say) -> str:
    """`pg_dump -Fc` of the database into `file`; returns the schema revision."""
    tool = _tool("pg_dump", DUMP_HINT)
    env, name = _environment(url)
    schema = revision(url)
    say(f"PostgreSQL: running pg_dump -Fc -f {file.name} {name} (a consistent snapshot; the "
        "server keeps running)")  # fmt: skip
    _run([tool, "-Fc", "-f", str(file), "--dbname", name], env)
    return schema


def restore(file: Path, url: str, *, clean: bool) -> None:
    """`pg_restore` of a custom-format dump into the database, in one transaction."""
    tool = _tool("pg_restore", RESTORE_HINT)
    env, name = _environment(url)
    options = ["--clean", "--if-exists"] if clean else []
    command = [tool, *options, "--no-owner", "--single-transaction", "--dbname", name, str(file)]
    _run(command, env)
