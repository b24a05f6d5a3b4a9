"""An import killed with SIGKILL half way leaves all or nothing, an intact database, and a
data dir in which the same import then succeeds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

PROFILES = 20_000
WAL_MIDWAY = 8 << 20  # bytes: well past the migration, well before the import commits
TABLES = ("enterprises", "profiles", "needs")


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "MATCHMAKER_DATA_DIR": str(data_dir)}
    env.pop("MATCHMAKER_DATABASE_URL", None)
    return env


def _matchmaker(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "matchmaker", *args], env=_env(data_dir),
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def _counts(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def _lines(path: Path) -> int:
    with path.open(encoding="utf-8") as stream:
        return sum(1 for line in stream if line.strip())


def _kill_midway(data_dir: Path, records: Path) -> bool:
    """Start `import all`, SIGKILL it once its transaction has spilled into the WAL; returns
    whether it was still running when killed."""
    wal = data_dir / "matchmaker.sqlite3-wal"
    process = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "import", "all", str(records)],
        env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > WAL_MIDWAY:
            break
        time.sleep(0.005)
    running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return running


@pytest.mark.slow
def test_an_import_killed_midway_leaves_all_or_nothing_and_can_be_run_again(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    generated = _matchmaker(tmp_path / "scratch", "fixtures", "generate",
                            "--profiles", str(PROFILES), "--output", str(records))  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    full = {"enterprises": _lines(records / "enterprises.jsonl"),
            "profiles": PROFILES, "needs": _lines(records / "needs.jsonl")}  # fmt: skip
    data_dir = tmp_path / "data"

    assert _kill_midway(data_dir, records), "the import ended before it could be killed"
    database = data_dir / "matchmaker.sqlite3"
    assert (data_dir / "matchmaker.sqlite3-wal").stat().st_size > WAL_MIDWAY

    counts = _counts(database)
    assert counts in (dict.fromkeys(TABLES, 0), full), counts
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []

    again = _matchmaker(data_dir, "import", "all", str(records))
    assert again.returncode == 0, again.stderr
    assert _counts(database) == full
