"""Benchmark the need search: index build time and memory, query latency.

    python benchmarks/search.py --needs 10000 100000 [--queries 300]

For each size, synthetic needs come from the fixtures generator and are imported into a
scratch data dir (neither is timed). A child process then builds the index from the
database through the search service (timed: reading, segment assignment, indexing, with
its peak RSS) and runs `--queries` searches of each kind, reporting p50 and p95:
- text: one or two words drawn from need titles (Chinese, sometimes in Traditional script)
- filters: type, chain, district, budget and deadline filters, no text
- text+filters: a text and one or two filters
Every search computes the facet counts and returns the first page of 20.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from scratch import generate_and_import, machine, scratch

WORDS = ("封装", "封裝測試", "电子特气", "光刻胶", "电池", "BMS", "检测", "传感器",
         "ＳｉＣ", "激光", "工业软件", "伺服", "医疗器械", "mes", "算法 平台",
         "材料", "模具", "芯片 设计")  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def queries(kind: str, count: int, rng: random.Random, facets: Any) -> list[Any]:
    from matchmaker.search.base import BUDGET_RANGES, NeedQuery

    made = []
    for _ in range(count):
        fields: dict[str, Any] = {}
        if kind in ("text", "text+filters"):
            fields["text"] = rng.choice(WORDS)
        if kind == "text+filters":  # one or two filters, as a visitor narrows a search
            fields["types"] = frozenset(rng.sample(sorted(facets.types), 2))
            if rng.random() < 0.5:
                fields["budget"] = rng.choice(BUDGET_RANGES)
        if kind == "filters":
            fields["types"] = frozenset(rng.sample(sorted(facets.types), 1))
            if rng.random() < 0.5:
                fields["chains"] = frozenset(rng.sample(sorted(facets.chains), 2))
            if rng.random() < 0.5:
                fields["districts"] = frozenset(rng.sample(sorted(facets.districts), 3))
            if rng.random() < 0.5:
                fields["budget"] = rng.choice(BUDGET_RANGES)
            if rng.random() < 0.3:
                fields["deadline_within"] = rng.choice((30, 90))
        fields["page"] = rng.choice((1, 1, 1, 2, 5))
        made.append(NeedQuery(**fields))
    return made


def child(data_dir: Path, count: int) -> None:
    from matchmaker.config import load_settings
    from matchmaker.db import Database
    from matchmaker.search.base import NeedQuery
    from matchmaker.search.service import SearchService

    settings = load_settings(data_dir=data_dir)
    database = Database(settings.db_url)
    service = SearchService()
    rng = random.Random(7)
    with database.session() as db:
        started = time.perf_counter()
        indexed = service.rebuild(db)
        build = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        facets = service.search(db, NeedQuery()).facets
        print(f"needs indexed             {indexed}")
        print(f"index build               {build:8.1f} s   (peak RSS after build {peak:.0f} MiB)")
        for kind in ("text", "filters", "text+filters"):
            latencies, totals = [], []
            for query in queries(kind, count, rng, facets):
                started = time.perf_counter()
                results = service.search(db, query)
                latencies.append((time.perf_counter() - started) * 1000)
                totals.append(results.total)
            print(
                f"{kind:<14} search     p50 {percentile(latencies, 0.5):6.1f} ms"
                f"   p95 {percentile(latencies, 0.95):6.1f} ms"
                f"   ({count} queries, median {percentile(totals, 0.5):.0f} hits)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--needs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.queries)
        return
    print(machine())
    for needs in options.needs:
        with scratch() as (root, env):
            generate_and_import(root, env, profiles=0, needs=needs)
            subprocess.run([sys.executable, __file__, "--child", str(root / "data"),
                            "--queries", str(options.queries)], env=env, check=True)  # fmt: skip


if __name__ == "__main__":
    main()
