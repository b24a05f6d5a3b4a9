"""Benchmark portal page times on the demo data, as a browser would fetch them.

Loads fixtures/demo into a scratch data dir, serves it with `matchmaker serve`, logs in as
each demo role over HTTP and fetches each main page repeatedly, printing p50 and p95 of
the full request time on loopback (server rendering plus HTTP). Usage:

    python benchmarks/pages.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from scratch import free_port, machine, scratch, wait_for

PASSWORD = "Demo-2026-matchmaker"  # noqa: S105 - the public demo password
PAGES = {
    "anonymous": ["/", "/needs", "/needs?q=电子特气", "/needs/need-001", "/login"],
    "firm@demo.example.cn": [
        "/dashboard",
        "/my/needs",
        "/needs/new",
        "/needs/need-001",
        "/needs/need-001/candidates",
        "/needs/need-001/answers",
        "/inbox",
    ],
    "sme@demo.example.cn": ["/dashboard", "/recommendations", "/my/profiles", "/my/introductions"],
    "organiser@demo.example.cn": ["/dashboard", "/admin/needs", "/admin/enterprises"],
    "admin@demo.example.cn": ["/admin/users"],
}


def _client(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    if email != "anonymous":
        client.get("/login")
        form = {"email": email, "password": PASSWORD, "csrf_token": client.cookies["mm_csrf"]}
        if client.post("/login", data=form).status_code not in (200, 303):
            raise SystemExit(f"could not log in as {email}")
    return client


def _measure(client: httpx.Client, path: str, repeat: int) -> tuple[float, float, float, int]:
    """First request (cold caches; the very first also builds the matching index), p50, p95."""
    started = time.perf_counter()
    status = client.get(path).status_code
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return first, statistics.median(times), times[int(0.95 * (len(times) - 1))], status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(machine())
    root_dir = Path(__file__).resolve().parents[1]
    with scratch() as (_root, env):
        load = [sys.executable, "-m", "matchmaker", "fixtures", "load", "fixtures/demo"]
        subprocess.run(load, env=env, cwd=root_dir, check=True, capture_output=True)
        port = free_port()
        serve = [sys.executable, "-m", "matchmaker", "serve", "--port", str(port)]
        server = subprocess.Popen(
            serve, env=env, cwd=root_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/")
            head = (
                f"{'user':<12} {'page':<30} {'status':>6} {'first':>8} {'p50 ms':>8} {'p95 ms':>8}"
            )
            print(head)
            for email, paths in PAGES.items():
                client = _client(base, email)
                for path in paths:
                    first, p50, p95, status = _measure(client, path, args.repeat)
                    who = email.split("@")[0]
                    print(f"{who:<12} {path:<30} {status:>6} {first:>8.1f} {p50:>8.1f} {p95:>8.1f}")
                client.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
