"""Matching through a search engine against the embedded index: quality and speed.

    python benchmarks/search_engine.py quality --search-url opensearch+http://127.0.0.1:9250
    python benchmarks/search_engine.py scale --profiles 100000 --search-url ...

`quality` scores the labelled set (fixtures/eval) with candidates from the in-process
retriever and from the engine; the ranker, features and explanations are the same, so
any difference comes from the first pass. `scale` generates synthetic data, builds the
matching index (not timed here: benchmarks/matching.py reports it), indexes every profile
into the engine (timed: documents per second), then ranks `--queries` needs for the top
50 through each retriever (p50, p95). It reports how much the two top-50 lists share and
the mean ranker score (0-100) of each top 10: with many near-identical synthetic profiles
the lists can differ while being equally good, which the scores tell.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import uuid
from pathlib import Path

from scratch import generate_and_import, machine, scratch

ROOT = Path(__file__).resolve().parent.parent


def percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.95))]


def quality(search_url: str) -> None:
    from matchmaker.matching import metrics
    from matchmaker.matching.evaluation import TOP, load_eval_set, scratch_engine
    from matchmaker.matching.retrieval import InMemoryRetriever
    from matchmaker.searchengine.adapters import connect
    from matchmaker.searchengine.profiles import EngineRetriever

    directory = ROOT / "fixtures" / "eval"
    labels = load_eval_set(directory)
    client = connect(search_url)
    alias = f"matchmaker-bench-{uuid.uuid4().hex[:8]}-profiles"
    with scratch_engine(directory) as (engine, _texts):
        mirror = EngineRetriever(engine, client, alias)
        mirror.rebuild()
        try:
            print(
                f"{'retriever':<10} {'split':<5} {'nDCG@10':>8} {'P@5':>6} {'R@50':>6} {'MRR':>6}"
            )
            for name, retriever in (("embedded", InMemoryRetriever(engine)), ("engine", mirror)):
                engine.retriever = retriever
                ranked = {
                    n: [m.profile_id for m in engine.match(n, TOP)] for n in labels.needs("all")
                }
                for split in ("dev", "test", "all"):
                    summary = metrics.summary(
                        {n: ranked[n] for n in labels.needs(split)}, labels.qrels
                    )
                    print(
                        f"{name:<10} {split:<5} {summary['ndcg@10']:>8.3f} {summary['p@5']:>6.3f} "
                        f"{summary['recall@50']:>6.3f} {summary['mrr']:>6.3f}"
                    )
        finally:
            for index in client.alias_targets(alias):
                client.delete_index(index)


def scale_child(data_dir: Path, search_url: str, queries: int) -> None:
    from matchmaker.config import load_settings
    from matchmaker.db import Database
    from matchmaker.matching.retrieval import InMemoryRetriever
    from matchmaker.matching.service import MatchingService
    from matchmaker.searchengine.adapters import connect
    from matchmaker.searchengine.profiles import EngineRetriever

    settings = load_settings(data_dir=data_dir)
    database = Database(settings.db_url)
    client = connect(search_url)
    alias = f"matchmaker-bench-{uuid.uuid4().hex[:8]}-profiles"
    with database.session() as db:
        engine = MatchingService(settings.data_dir).rebuild(db)
    mirror = EngineRetriever(engine, client, alias)
    try:
        started = time.perf_counter()
        count = mirror.rebuild()
        seconds = time.perf_counter() - started
        print(f"profiles indexed into the engine   {count}")
        print(
            f"engine indexing                   {seconds:8.1f} s   ({count / seconds:,.0f} docs/s)"
        )
        need_ids = sorted(engine.needs.docs)[:queries]
        tops: dict[str, dict[str, list[str]]] = {}
        for name, retriever in (("embedded", InMemoryRetriever(engine)), ("engine", mirror)):
            engine.retriever = retriever
            engine.match(need_ids[0], 50)  # warm up caches and connections
            latencies, tops[name], best = [], {}, []
            for need_id in need_ids:
                started = time.perf_counter()
                matches = engine.match(need_id, 50)
                latencies.append((time.perf_counter() - started) * 1000)
                tops[name][need_id] = [m.profile_id for m in matches]
                best += [m.score for m in matches[:10]]
            p50, p95 = percentiles(latencies)
            mean = sum(best) / max(len(best), 1)
            print(f"rank one need, top 50, {name:<9} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
                  f"   mean score of the top 10: {mean:.1f}")  # fmt: skip
        shared = [
            len(set(tops["embedded"][n]) & set(tops["engine"][n]))
            / max(len(tops["embedded"][n]), 1)
            for n in need_ids
        ]
        mean = sum(shared) / len(shared)
        print(f"top-50 overlap engine vs embedded  {mean:.1%} (mean over {len(shared)} needs)")
    finally:
        for index in client.alias_targets(alias):
            client.delete_index(index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("quality", "scale"))
    parser.add_argument("--search-url", required=True)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.mode == "quality":
        print(machine())
        quality(options.search_url)
        return
    if options.child:
        scale_child(options.child, options.search_url, options.queries)
        return
    print(machine())
    with scratch() as (root, env):
        generate_and_import(root, env, profiles=options.profiles, needs=options.needs)
        subprocess.run([sys.executable, __file__, "scale", "--child", str(root / "data"),
                        "--search-url", options.search_url, "--queries", str(options.queries)],
                       env=env, check=True)  # fmt: skip


if __name__ == "__main__":
    main()
