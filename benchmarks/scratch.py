"""What the benchmarks share: a line naming the machine and a scratch data dir."""

from __future__ import annotations

import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def machine() -> str:
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )


@contextmanager
def scratch() -> Iterator[tuple[Path, dict[str, str]]]:
    """A temporary root and an environment whose data dir (and SQLite database) live in it."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        env = {**os.environ, "MATCHMAKER_DATA_DIR": str(root / "data")}
        env.pop("MATCHMAKER_DATABASE_URL", None)
        yield root, env
