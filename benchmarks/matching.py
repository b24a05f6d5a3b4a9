"""Benchmark the matching engine: index build time and memory, ranking latency.

    python benchmarks/matching.py --profiles 100000 [--needs 500] [--queries 200]

Synthetic data comes from the fixtures generator and is imported into a scratch data dir
(neither is timed). A child process then builds the index (timed, with its peak RSS),
ranks `--queries` needs one at a time for the top 50 with explanations (p50, p95), and
ranks all needs in one batch.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from scratch import generate_and_import, machine, scratch


def child(data_dir: Path, queries: int) -> None:
    from matchmaker.config import load_settings
    from matchmaker.db import Database
    from matchmaker.matching.service import MatchingService

    settings = load_settings(data_dir=data_dir)
    database = Database(settings.db_url)
    service = MatchingService(settings.data_dir)
    with database.session() as db:
        started = time.perf_counter()
        engine = service.rebuild(db)
        build = time.perf_counter() - started
        peak_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        need_ids = sorted(engine.needs.docs)
        latencies = []
        for need_id in need_ids[:queries]:
            started = time.perf_counter()
            engine.match(need_id, 50)
            latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        started = time.perf_counter()
        for need_id in need_ids:
            engine.match(need_id, 50)
        batch = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p50 = latencies[len(latencies) // 2]
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(f"profiles indexed          {len(engine.profiles)}")
    print(f"index build               {build:8.1f} s   (peak RSS after build {peak_build:.0f} MiB)")
    print(
        f"rank one need, top 50     p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
        f"   ({len(latencies)} needs)"
    )
    print(f"rank {len(need_ids)} needs in one batch {batch:8.1f} s")
    print(f"peak RSS                  {peak:8.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.queries)
        return
    print(machine())
    with scratch() as (root, env):
        generate_and_import(root, env, profiles=options.profiles, needs=options.needs)
        subprocess.run([sys.executable, __file__, "--child", str(root / "data"),
                        "--queries", str(options.queries)], env=env, check=True)  # fmt: skip


if __name__ == "__main__":
    main()
