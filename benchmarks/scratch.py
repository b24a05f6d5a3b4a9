"""What the benchmarks share: a line naming the machine, a scratch data dir, and a free
port with a way to wait for the server started on it."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str) -> None:
    """Until the server started in another process answers (any status below 500)."""
    for _ in range(600):
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")
