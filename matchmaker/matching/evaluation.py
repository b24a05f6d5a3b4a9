"""Measure ranking quality on a labelled set, and train the ranker on its dev split.

A set is a directory in the import format plus qrels.tsv (need_id, profile_id, grade) and
splits.tsv (need_id, dev|test). It is imported into a scratch data dir, never the user's.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchmaker.db import Database
from matchmaker.fixtures.demo import RecordDirectoryError, record_files
from matchmaker.matching import baseline, metrics
from matchmaker.matching.engine import Engine
from matchmaker.matching.ranker import Ranker, fit
from matchmaker.matching.service import MatchingService
from matchmaker.migrate import upgrade
from matchmaker.transfer.importer import import_files

TOP = 50


@dataclass(frozen=True)
class EvalSet:
    qrels: dict[str, dict[str, int]]
    splits: dict[str, str]

    def needs(self, split: str) -> list[str]:
        return sorted(n for n, s in self.splits.items() if split == "all" or s == split)


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise RecordDirectoryError(f"{path} is missing (tab-separated: {', '.join(columns)})")
    with path.open(encoding="utf-8") as stream:
        reader = csv.DictReader(stream, delimiter="\t")
        if reader.fieldnames is None or set(columns) - set(reader.fieldnames):
            header = "\t".join(columns)
            raise RecordDirectoryError(f"{path.name}: the header must be {header!r}")
        return list(reader)


def load_eval_set(directory: Path) -> EvalSet:
    """Labels of a set; a malformed file is refused with its name and line."""
    qrels: dict[str, dict[str, int]] = {}
    rows = _rows(directory / "qrels.tsv", ("need_id", "profile_id", "grade"))
    for line, row in enumerate(rows, start=2):
        if row["grade"] not in ("1", "2"):
            raise RecordDirectoryError(
                f"qrels.tsv line {line}: grade must be 1 or 2, not {row['grade']!r}"
            )
        qrels.setdefault(row["need_id"], {})[row["profile_id"]] = int(row["grade"])
    splits = {}
    for line, row in enumerate(_rows(directory / "splits.tsv", ("need_id", "split")), start=2):
        if row["split"] not in ("dev", "test"):
            raise RecordDirectoryError(
                f"splits.tsv line {line}: split must be dev or test, not {row['split']!r}"
            )
        splits[row["need_id"]] = row["split"]
    return EvalSet(qrels=qrels, splits=splits)


@contextmanager
def scratch_engine(
    directory: Path, ranker: Ranker | None = None
) -> Iterator[tuple[Engine, dict[str, Any]]]:
    """The set imported into a throwaway database and indexed; yields the engine and texts."""
    with tempfile.TemporaryDirectory(prefix="matchmaker-eval-") as scratch:
        database = Database(f"sqlite:///{Path(scratch) / 'eval.sqlite3'}")
        upgrade(database)
        try:
            with database.session() as db:
                import_files(db, record_files(directory))
                engine = MatchingService(Path(scratch)).rebuild(db)
            if ranker is not None:
                engine.ranker = ranker
            texts = {
                "profiles": {pid: doc.text for pid, doc in engine.profiles.docs.items()},
                "needs": {nid: doc.text for nid, doc in engine.needs.docs.items()},
            }
            yield engine, texts
        finally:
            database.dispose()


def rankings(
    engine: Engine, texts: dict[str, Any], needs: list[str]
) -> dict[str, dict[str, list[str]]]:
    bm25 = baseline.rank_all(texts["profiles"], {n: texts["needs"][n] for n in needs}, TOP)
    return {
        "engine": {n: [m.profile_id for m in engine.match(n, TOP)] for n in needs},
        "text": {n: engine.text_ranking(n, TOP) for n in needs},
        "bm25": {n: list(bm25[n]) for n in needs},
    }


def evaluate(
    directory: Path, ranker: Ranker | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """Metrics per system (engine, text, bm25) and split (dev, test, all)."""
    labels = load_eval_set(directory)
    with scratch_engine(directory, ranker) as (engine, texts):
        ranked = rankings(engine, texts, labels.needs("all"))
    return {
        system: {
            split: metrics.summary({n: per_need[n] for n in labels.needs(split)}, labels.qrels)
            for split in ("dev", "test", "all")
        }
        for system, per_need in ranked.items()
    }


def train(directory: Path, extra: Sequence[tuple[dict[str, float], int]] = ()) -> Ranker:
    """Fit the ranker on the dev split's candidates (and labelled pairs); test stays unseen.

    `extra` adds (features, grade) rows from elsewhere, such as the portal's own feedback."""
    labels = load_eval_set(directory)
    with scratch_engine(directory) as (engine, _texts):
        rows, grades = [], []
        for need_id in labels.needs("dev"):
            grades_of = labels.qrels.get(need_id, {})
            pairs = set(engine.candidates(need_id)) | {p for p in grades_of if p in engine.profiles}
            for profile_id in sorted(pairs):
                rows.append(engine.features_for(need_id, profile_id))
                grades.append(grades_of.get(profile_id, 0))
    for features, grade in extra:
        rows.append(features)
        grades.append(grade)
    ranker = fit(rows, grades)
    results = evaluate(directory, ranker)
    ranker.card = {
        "trained": dt.date.today().isoformat(),
        "data": f"{directory.name}: {len(labels.needs('dev'))} dev needs, {len(rows)} pairs "
        f"({sum(1 for g in grades if g > 0)} relevant"
        + (f", {len(extra)} from feedback" if extra else "")
        + "); test split held out",
        "metrics": results["engine"],
    }
    return ranker


def format_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [f"{'system':<8} {'split':<5} {'nDCG@10':>8} {'P@5':>6} {'R@50':>6} {'MRR':>6} needs"]
    for system, splits in results.items():
        for split, values in splits.items():
            lines.append(
                f"{system:<8} {split:<5} {values['ndcg@10']:>8.3f} {values['p@5']:>6.3f} "
                f"{values['recall@50']:>6.3f} {values['mrr']:>6.3f} {int(values['needs'])}"
            )
    return "\n".join(lines)
