"""`matchmaker backup DEST` and `matchmaker restore SRC` (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matchmaker.backup import BackupError, Target, backup, restore
from matchmaker.cli_common import fail
from matchmaker.config import Settings


def _target() -> Target:
    # Not Settings.prepared(): that would create the data dir and a new secret in it, and a
    # restore must find the target as the operator left it.
    configured = Settings()
    return Target(configured.data_dir.expanduser().resolve(), configured.database_url)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def backup_command(
    dest: Annotated[Path, typer.Argument(help="New directory to write the backup into")],
) -> None:
    """Back up the database and the data dir's secret while the server keeps running.

    SQLite is copied with its online backup API; PostgreSQL with `pg_dump -Fc`. The matching
    and search indices are not included: they rebuild from the database.
    """
    target = _target()
    try:
        manifest = backup(target, dest, say=_say)
    except BackupError as error:
        raise fail(f"backup failed: {error}") from None
    files = ", ".join(sorted(manifest["files"]))
    typer.echo(
        f"backed up the {manifest['database']} database (schema {manifest['schema_revision']}) "
        f"to {dest}: {files}, manifest.json"
    )


def restore_command(
    src: Annotated[Path, typer.Argument(help="Backup directory written by `matchmaker backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database and secret of a used data dir")
    ] = False,
) -> None:
    """Restore a backup into MATCHMAKER_DATA_DIR (stop the server first).

    Every file's checksum is checked before anything is written; a data dir that is not
    empty is refused unless --force. The indices rebuild themselves on first use, or run
    `matchmaker index rebuild`.
    """
    target = _target()
    try:
        manifest = restore(src, target, force=force)
    except BackupError as error:
        raise fail(f"restore failed: {error}") from None
    typer.echo(
        f"restored the {manifest['database']} database of {manifest['created_at']} (schema "
        f"{manifest['schema_revision']}) into {target.data_dir}; the next command or server "
        "start migrates it if needed, and the indices rebuild on first use "
        "(or run `matchmaker index rebuild`)"
    )


def register(app: typer.Typer) -> None:
    """Add `backup` and `restore` to the root command."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
