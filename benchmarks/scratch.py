"""What the benchmarks share: a line naming the machine and a scratch data dir."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
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


def generate_and_import(root: Path, env: dict[str, str], *, profiles: int, needs: int) -> None:
    """Synthetic data from the fixtures generator, imported into the scratch database."""
    data = root / "generated"
    generate = ["fixtures", "generate", "--profiles", str(profiles), "--needs", str(needs)]
    for step in ([*generate, "--output", str(data)], ["import", "all", str(data)]):
        subprocess.run(
            [sys.executable, "-m", "matchmaker", *step],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    print(f"data: {profiles} profiles, {needs} needs (generated and imported)")
