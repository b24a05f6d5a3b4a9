"""Back up and restore an installation: the database plus the data dir's secret.

A backup is a directory (docs/operations.md) holding:

  manifest.json       format, matchmaker version, schema revision, created_at, database
                      kind, and the size and SHA-256 of every other file in the backup
  matchmaker.sqlite3  a consistent copy made with SQLite's online backup API, taken while
                      the server keeps running (SQLite), or
  matchmaker.pgdump   the output of `pg_dump -Fc` (PostgreSQL)
  secret_key          the data dir's secret: it seals the enterprises' signing keys and signs
                      sessions (absent when MATCHMAKER_SECRET_KEY supplies the secret)

The matching and search indices are left out: they are derived from the database and rebuild
themselves on first use (or with `matchmaker index rebuild`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from matchmaker import __version__
from matchmaker.config import SECRET_FILE

FORMAT = "matchmaker-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "matchmaker.sqlite3"
PG_FILE = "matchmaker.pgdump"
INDEX_DIR = "index"
Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    """Where an installation keeps its state: the data dir and the database URL."""

    data_dir: Path
    database_url: str | None = None  # None: the default SQLite file in the data dir

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None when the database is PostgreSQL."""
        if self.database_url is None:
            return self.data_dir / SQLITE_FILE
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite":
            return None
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return Path(url.database)

    @property
    def kind(self) -> str:
        return "sqlite" if self.sqlite_path is not None else "postgresql"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Backup ------------------------------------------------------------------------------------
def backup(target: Target, dest: Path, say: Say = print) -> dict[str, Any]:
    """Write a backup of `target` to the new directory `dest`; returns the manifest.

    The files are written to DEST.part and renamed at the end, so a backup interrupted half
    way never looks complete.
    """
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not an empty directory")
    part = dest.with_name(dest.name + ".part")
    if part.exists():
        shutil.rmtree(part)
    part.mkdir(mode=0o700, parents=True)  # the backup holds personal data and the secret
    try:
        if target.sqlite_path is not None:
            revision = _sqlite_copy(target.sqlite_path, part / SQLITE_FILE)
        else:
            from matchmaker import backup_pg

            revision = backup_pg.dump(_pg_url(target), part / PG_FILE, say)
        secret = target.data_dir / SECRET_FILE
        if secret.is_file():
            shutil.copy2(secret, part / SECRET_FILE)
        else:
            say("note: the data dir has no secret_key file (MATCHMAKER_SECRET_KEY supplies it?);"
                " keep that secret with the backup: signing keys are sealed with it")  # fmt: skip
        manifest = _manifest(part, target.kind, revision)
        (part / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        part.rename(dest)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    return manifest


def _sqlite_copy(source: Path, copy: Path) -> str:
    """Copy a live database with the online backup API; returns its schema revision."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)  # one consistent snapshot; writers in WAL mode carry on meanwhile
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        return _sqlite_revision(dst, source)


def _sqlite_revision(connection: sqlite3.Connection, where: Path) -> str:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{where} is not a matchmaker database: {error}") from None
    if row is None:
        raise BackupError(f"{where} has no schema revision; run `matchmaker migrate` first")
    return str(row[0])


def _manifest(directory: Path, kind: str, revision: str) -> dict[str, Any]:
    files = {
        path.name: {"sha256": sha256(path), "bytes": path.stat().st_size}
        for path in sorted(directory.iterdir())
        if path.name != MANIFEST
    }
    return {
        "format": FORMAT,
        "matchmaker_version": __version__,
        "schema_revision": revision,
        "database": kind,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }


def _pg_url(target: Target) -> str:
    if target.database_url is None:  # pragma: no cover - sqlite_path covers it
        raise BackupError("no database URL")
    return target.database_url


# Restore -----------------------------------------------------------------------------------
def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, after checking the size and checksum of every file it names."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} is not a matchmaker backup: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is damaged: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} manifest")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise BackupError(f"{path} lists no files")
    for name, entry in files.items():
        _check_file(source, name, entry)
    return manifest


def _check_file(source: Path, name: str, entry: Any) -> None:
    if Path(name).name != name or name in {"", ".", ".."}:
        raise BackupError(f"the manifest names {name!r}, which is not a file in the backup")
    path = source / name
    if not path.is_file():
        raise BackupError(f"{name} is missing from the backup {source}")
    expected = entry.get("sha256") if isinstance(entry, dict) else None
    found = sha256(path)
    if found != expected:
        raise BackupError(
            f"{name} is damaged: its SHA-256 is {found[:16]}…, the manifest recorded "
            f"{str(expected)[:16]}…; nothing was restored"
        )


def restore(source: Path, target: Target, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup into `target`; returns its manifest.

    Refuses a damaged backup, a backup of the other database kind, and a target that
    already holds data unless `force`. The server must be stopped while this runs.
    """
    manifest = read_manifest(source)
    if manifest.get("database") != target.kind:
        raise BackupError(
            f"the backup holds a {manifest.get('database')} database but the target is "
            f"{target.kind}; set MATCHMAKER_DATABASE_URL to match"
        )
    if target.sqlite_path is None:
        from matchmaker import backup_pg

        backup_pg.require_restore_tool()
    _refuse_data(target, force=force)
    target.data_dir.mkdir(parents=True, exist_ok=True)
    sqlite_path = target.sqlite_path
    if sqlite_path is not None:
        _sqlite_restore(source / SQLITE_FILE, sqlite_path)
    else:
        from matchmaker import backup_pg

        backup_pg.restore(source / PG_FILE, _pg_url(target), clean=force)
    if SECRET_FILE in manifest["files"]:
        _copy_private(source / SECRET_FILE, target.data_dir / SECRET_FILE)
    # The index describes the old database; it is rebuilt from the restored one on first use.
    shutil.rmtree(target.data_dir / INDEX_DIR, ignore_errors=True)
    return manifest


def _refuse_data(target: Target, *, force: bool) -> None:
    if force:
        return
    data_dir = target.data_dir
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(
            f"the data dir {data_dir} is not empty; restore into an empty one, or pass "
            "--force to replace its database and secret"
        )
    if target.sqlite_path is not None and target.sqlite_path.exists():
        raise BackupError(f"{target.sqlite_path} exists; pass --force to replace it")
    if target.sqlite_path is None:
        from matchmaker import backup_pg

        tables = backup_pg.table_count(_pg_url(target))
        if tables:
            raise BackupError(
                f"the target database already has {tables} table(s); restore into an empty "
                "database, or pass --force to drop and replace them"
            )


def _sqlite_restore(copy: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(database.name + ".restore")
    shutil.copyfile(copy, staged)
    with closing(sqlite3.connect(staged)) as connection:
        result = connection.execute("PRAGMA integrity_check").fetchone()
    if result is None or result[0] != "ok":
        staged.unlink()
        raise BackupError(f"{SQLITE_FILE} in the backup fails PRAGMA integrity_check: {result}")
    for suffix in ("-wal", "-shm", "-journal"):  # left from the replaced database
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    staged.replace(database)


def _copy_private(source: Path, destination: Path) -> None:
    staged = destination.with_name(destination.name + ".restore")
    staged.unlink(missing_ok=True)
    staged.touch(mode=0o600)
    staged.write_bytes(source.read_bytes())
    staged.replace(destination)
