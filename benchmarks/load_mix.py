"""Load test of a realistic mix on the 100,000-profile data set, with locust.

    python benchmarks/load_mix.py [--profiles 100000] [--seconds 120] [--spawn-rate 5]
                                  [--users 50 200]

Generates and imports synthetic data, adds accounts (30 SMEs with published profiles,
10 large firms with open needs, one organiser) and an event whose shortlists are built,
builds the matching index, then serves the portal with two server processes
(`matchmaker serve --workers 2`). Locust runs headless from a second process on 127.0.0.1
(benchmarks/locustfile.py: SMEs browse recommendations, search and read needs; firms view
their dashboards and candidates; the organiser views and exports shortlists), once per
user count, for `--seconds` each. Prints throughput, p50/p95/p99 and errors.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from scratch import free_port, generate_and_import, machine, scratch, wait_for

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Load-Test-2026-matchmaker!"  # noqa: S105 - a scratch database's accounts


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"matchmaker {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def pick(data_dir: Path) -> dict[str, list[str] | list[tuple[str, list[str]]]]:
    """Enterprises to give accounts: SMEs with a published profile, firms with open needs."""
    import sqlite3

    with sqlite3.connect(data_dir / "matchmaker.sqlite3") as db:
        smes = [
            row[0]
            for row in db.execute(
                "SELECT DISTINCT enterprise_id FROM profiles WHERE status = 'published' "
                "ORDER BY enterprise_id LIMIT 30"
            )
        ]
        firms = [
            row[0]
            for row in db.execute(
                "SELECT enterprise_id FROM needs WHERE status = 'open' GROUP BY enterprise_id "
                "ORDER BY count(*) DESC, enterprise_id LIMIT 10"
            )
        ]
        needs = {
            firm: [
                row[0]
                for row in db.execute(
                    "SELECT id FROM needs WHERE status = 'open' AND enterprise_id = ? ORDER BY id "
                    "LIMIT 5",
                    (firm,),
                )
            ]
            for firm in firms
        }
        sample = [
            row[0]
            for row in db.execute(
                "SELECT id FROM needs WHERE status = 'open' ORDER BY id LIMIT 200"
            )
        ]
    return {"smes": smes, "firms": [(f, needs[f]) for f in firms], "needs": sample}


def account(env: dict[str, str], role: str, n: int, enterprise: str) -> str:
    """A member account of the enterprise; returns its email."""
    email = f"{role}{n}@load.example.cn"
    cli(env, "users", "create", "--email", email, "--role", role, "--name", f"{role} {n}",
        "--enterprise", enterprise)  # fmt: skip
    return email


def prepare(env: dict[str, str], data_dir: Path) -> dict[str, object]:
    chosen = pick(data_dir)
    env = {**env, "MATCHMAKER_NEW_PASSWORD": PASSWORD}
    smes = [account(env, "sme", n, str(enterprise)) for n, enterprise in enumerate(chosen["smes"])]
    firms = [
        {"email": account(env, "firm", n, enterprise), "needs": needs}
        for n, (enterprise, needs) in enumerate(chosen["firms"])
    ]
    organiser = "organiser@load.example.cn"
    cli(
        env,
        "users",
        "create",
        "--email",
        organiser,
        "--role",
        "organiser",
        "--name",
        "Organiser",
        "--organisation",
        "上海市中小企业发展服务中心",
    )
    event = (
        cli(
            env,
            "events",
            "create",
            "--title",
            "集成电路产业链融通对接会",
            "--starts-at",
            "2027-03-18T09:30",
            "--organiser",
            organiser,
        )
        .strip()
        .split()[-1]
    )
    need_args = [arg for firm in firms for need in firm["needs"] for arg in ("--need", need)]
    cli(env, "events", "invite", event, *need_args, "--matching")
    cli(env, "events", "shortlist", event)
    return {
        "smes": smes,
        "firms": firms,
        "organiser": organiser,
        "event": event,
        "needs": chosen["needs"],
    }


def warm_up(base: str, plan: dict[str, object]) -> None:
    """Rank and search once in each server process before measuring: the first ranking
    loads the matching index (seconds at 100,000 profiles), which is start-up, not load."""
    from concurrent.futures import ThreadPoolExecutor

    firm = plan["firms"][0]  # type: ignore[index]
    with httpx.Client(base_url=base, timeout=600) as client:
        client.get("/login")
        form = {"email": firm["email"], "password": PASSWORD,
                "csrf_token": client.cookies.get("mm_csrf", "")}  # fmt: skip
        client.post("/login", data=form)
        pages = [f"/needs/{need}/candidates" for need in firm["needs"]] * 2 + ["/needs?q=芯片"] * 6
        with ThreadPoolExecutor(max_workers=len(pages)) as pool:
            done = list(pool.map(lambda url: client.get(url).status_code, pages))
    if any(status != 200 for status in done):
        raise SystemExit(f"warm-up failed: {done}")


def locust(
    base: str, plan: dict[str, object], users: int, seconds: int, spawn_rate: int, out: Path
) -> dict[str, str]:
    env = {
        **os.environ,
        "MATCHMAKER_LOAD_PLAN": json.dumps(plan),
        "MATCHMAKER_LOAD_PASSWORD": PASSWORD,
    }
    prefix = out / f"u{users}"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
    ]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust wrote no statistics: {done.stderr[-2000:]}")
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        if row["Name"] != "Aggregated":
            print(
                f"    {row['Name']:<32} {row['Request Count']:>7} req  "
                f"p50 {row['50%']:>5} ms  p95 {row['95%']:>6} ms  fail {row['Failure Count']}"
            )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(encoding="utf-8") as stream:
            for row in csv.DictReader(stream):
                print(f"    failed {row['Occurrences']}x {row['Name']}: {row['Error'][:160]}")
    return next(row for row in rows if row["Name"] == "Aggregated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument("--seconds", type=int, default=120)
    # Users arriving (and logging in: argon2, ~0.1 CPU-second each) per second.
    parser.add_argument("--spawn-rate", type=int, default=5)
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    options = parser.parse_args()
    print(machine())
    with scratch() as (root, env):
        # Every simulated user logs in from 127.0.0.1; the per-IP login limit is for the
        # internet, where 200 people do not share one address.
        env = {**env, "MATCHMAKER_EMBEDDED_WORKER": "0", "MATCHMAKER_LOGIN_IP_LIMIT": "100000"}
        generate_and_import(root, env, profiles=options.profiles, needs=options.needs)
        data_dir = root / "data"
        plan = prepare(env, data_dir)
        cli(env, "index", "rebuild")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [sys.executable, "-m", "matchmaker", "serve", "--port", str(port), "--workers", "2"]
        server = subprocess.Popen(
            serve, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for(base + "/healthz")
            warm_up(base, plan)
            for users in options.users:
                print(f"{users} users arriving {options.spawn_rate}/s, {options.seconds} s:")
                total = locust(base, plan, users, options.seconds, options.spawn_rate, root)
                print(
                    f"  all: {float(total['Requests/s']):.1f} req/s, p50 {total['50%']} ms, "
                    f"p95 {total['95%']} ms, p99 {total['99%']} ms, "
                    f"{total['Failure Count']} errors of {total['Request Count']}"
                )
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
