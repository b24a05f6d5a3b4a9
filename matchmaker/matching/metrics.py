"""Ranking metrics over graded relevance (grades 2 and 1; unlisted pairs are 0)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([grades.get(item, 0) for item in ranked[:k]]) / ideal


def precision_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    return sum(1 for item in ranked[:k] if grades.get(item, 0) > 0) / k


def recall_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    relevant = sum(1 for grade in grades.values() if grade > 0)
    if relevant == 0:
        return 0.0
    return sum(1 for item in ranked[:k] if grades.get(item, 0) > 0) / relevant


def reciprocal_rank(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    for rank, item in enumerate(ranked, start=1):
        if grades.get(item, 0) > 0:
            return 1.0 / rank
    return 0.0


def summary(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """Mean nDCG@10, P@5, Recall@50 and MRR over the needs in `rankings`."""
    needs = [need for need in rankings if need in qrels]
    if not needs:
        return {"ndcg@10": 0.0, "p@5": 0.0, "recall@50": 0.0, "mrr": 0.0, "needs": 0}
    count = len(needs)
    return {
        "ndcg@10": round(sum(ndcg_at(rankings[n], qrels[n], 10) for n in needs) / count, 4),
        "p@5": round(sum(precision_at(rankings[n], qrels[n], 5) for n in needs) / count, 4),
        "recall@50": round(sum(recall_at(rankings[n], qrels[n], 50) for n in needs) / count, 4),
        "mrr": round(sum(reciprocal_rank(rankings[n], qrels[n]) for n in needs) / count, 4),
        "needs": count,
    }
