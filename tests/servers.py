"""Real servers a test owns, to stop and start again: the outage tests take the backends
away from a running app and bring them back, which a shared CI server must not suffer.

Redis is Debian's redis-server; OpenSearch is the node `.ci/opensearch.sh` runs from Maven
Central. Missing programs skip the test, or fail it under MATCHMAKER_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tools import require_program

ROOT = Path(__file__).resolve().parent.parent


def free_port(candidates: range | None = None) -> int:
    """A port nothing listens on: any, or the first free one of `candidates`."""
    for port in candidates or [0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError(f"no free port in {candidates}")


def _wait(ready: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")
        time.sleep(0.1)


class RedisServer:
    """redis-server on a free port of its own, in memory only (a restart forgets data)."""

    def __init__(self, directory: Path) -> None:
        self.program = require_program("redis-server", "redis-server")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [self.program, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--dir", str(self.directory)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _wait(self._answers, f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class OpenSearchNode:
    """A single OpenSearch node of its own (port and directory), through .ci/opensearch.sh."""

    def __init__(self, directory: Path) -> None:
        require_program("mvn", "maven")
        require_program("curl", "curl")
        self.directory = directory
        # The runner only serves HTTP on ports up to 9299 (and the CI node has 9250).
        self.port = free_port(range(9260, 9299))

    @property
    def url(self) -> str:
        return f"opensearch+http://127.0.0.1:{self.port}"

    def _script(self, *args: str, keep_data: bool = False) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(self.directory), "OPENSEARCH_PORT": str(self.port)}
        if keep_data:
            env["OPENSEARCH_KEEP_DATA"] = "1"
        subprocess.run(
            [require_program("bash", "bash"), str(ROOT / ".ci" / "opensearch.sh"), *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )

    def start(self) -> OpenSearchNode:
        self._script()
        return self

    def kill(self) -> None:
        """End the node and keep its data, as a crash or a restart would."""
        self._script("kill")

    def restart(self) -> None:
        self._script(keep_data=True)

    def stop(self) -> None:
        self._script("stop")
