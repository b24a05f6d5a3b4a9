"""Load test: the portal's main pages and the match API under 50 concurrent users.

    python benchmarks/load.py [--seconds 20] [--connections 50]

Loads fixtures/demo into a scratch data dir and serves it with two server processes
(`matchmaker serve --workers 2`); wrk (Debian's package) runs from a second process on
127.0.0.1 with 50 open connections. Each scenario runs twice: without the result cache,
and with it in a Redis this script starts (redis-server on a free port). Prints
throughput and p50/p95 latency per scenario; non-2xx answers count as errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
from scratch import free_port, machine, scratch, wait_for

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).with_name("load.lua")
ANONYMOUS = {
    "home": ["/"],
    "need search": ["/needs", "/needs?q=电子特气", "/needs?q=封装测试", "/needs?type=technology"],
    "need page": [f"/needs/need-{n:03d}" for n in range(1, 21)],
}


def wrk(base: str, paths: list[str], seconds: int, connections: int, token: str = "") -> str:
    encoded = [quote(path, safe="/?=&") for path in paths]  # a request line is ASCII
    env = {**os.environ, "PATHS": " ".join(encoded), "TOKEN": token}
    command = [str(shutil.which("wrk")), "-t2", f"-c{connections}", f"-d{seconds}s",
               "--timeout", "30s", "-s", str(SCRIPT), base]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed on {paths}: {done.stdout}{done.stderr}")
    return next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))


def run(env: dict[str, str], label: str, seconds: int, connections: int, token: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "matchmaker", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(serve, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(base + "/healthz")
        need_ids = [f"need-{n:03d}" for n in range(1, 41)]
        matches = [f"/api/v1/needs/{n}/matches?limit=20" for n in need_ids]
        for path in matches[:4]:  # each process loads the matching index on first use
            httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=300)
        scenarios = {**ANONYMOUS, "match API (40 needs)": matches}
        for name, paths in scenarios.items():
            result = wrk(base, paths, seconds, connections, token if "API" in name else "")
            fields = dict(item.split("=") for item in result.split()[1:])
            print(f"{label:<22} {name:<22} {float(fields['rps']):>8.1f} "
                  f"{float(fields['p50_ms']):>8.1f} {float(fields['p95_ms']):>8.1f} "
                  f"{fields['errors']:>6}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    options = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("redis-server") is None:
        raise SystemExit("needs wrk and redis-server (apt-get install wrk redis-server)")
    print(machine())
    with scratch() as (_root, env):
        cli = [sys.executable, "-m", "matchmaker"]
        subprocess.run([*cli, "fixtures", "load", "fixtures/demo"], env=env, cwd=ROOT,
                       check=True, capture_output=True)  # fmt: skip
        made = subprocess.run([*cli, "users", "token", "organiser@demo.example.cn"], env=env,
                              cwd=ROOT, check=True, capture_output=True, text=True)  # fmt: skip
        token = made.stdout.strip()
        subprocess.run([*cli, "index", "rebuild"], env=env, cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        redis_port = free_port()
        redis_command = [str(shutil.which("redis-server")), "--port", str(redis_port),
                         "--save", "", "--appendonly", "no"]  # fmt: skip
        redis = subprocess.Popen(redis_command, stdout=subprocess.DEVNULL)
        try:
            print(f"{'setup':<22} {'scenario':<22} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                  f"{'errors':>6}")  # fmt: skip
            quiet = {**env, "MATCHMAKER_EMBEDDED_WORKER": "0"}
            run({**quiet, "MATCHMAKER_RESULT_CACHE_SECONDS": "0"}, "no cache", options.seconds,
                options.connections, token)  # fmt: skip
            cached = {**quiet, "MATCHMAKER_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
            run(cached, "Redis result cache", options.seconds, options.connections, token)
        finally:
            redis.terminate()
            redis.wait(timeout=30)
    print(json.dumps({"connections": options.connections, "seconds": options.seconds}))


if __name__ == "__main__":
    main()
