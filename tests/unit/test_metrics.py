import math

import pytest

from matchmaker.matching.metrics import ndcg_at, precision_at, recall_at, reciprocal_rank, summary

GRADES = {"a": 2, "b": 1, "c": 2}


def test_ndcg_matches_hand_computation() -> None:
    ranked = ["x", "a", "b", "y", "c"]
    # DCG = (2^2-1)/log2(3) + (2^1-1)/log2(4) + (2^2-1)/log2(6)
    dcg = 3 / math.log2(3) + 1 / 2 + 3 / math.log2(6)
    # ideal order a, c, b: 3/1 + 3/log2(3) + 1/2
    ideal = 3 + 3 / math.log2(3) + 1 / 2
    assert ndcg_at(ranked, GRADES, 10) == pytest.approx(dcg / ideal)


def test_perfect_ranking_scores_one() -> None:
    assert ndcg_at(["a", "c", "b"], GRADES, 10) == pytest.approx(1.0)


def test_precision_recall_and_reciprocal_rank() -> None:
    ranked = ["x", "a", "y", "b", "z"]
    assert precision_at(ranked, GRADES, 5) == pytest.approx(2 / 5)
    assert recall_at(ranked, GRADES, 50) == pytest.approx(2 / 3)
    assert reciprocal_rank(ranked, GRADES) == pytest.approx(1 / 2)
    assert reciprocal_rank(["x"], GRADES) == 0.0


def test_summary_averages_over_needs() -> None:
    result = summary({"n1": ["a", "c", "b"], "n2": ["x"]}, {"n1": GRADES, "n2": {"q": 1}})
    assert result["ndcg@10"] == pytest.approx(0.5)
    assert result["mrr"] == pytest.approx(0.5)
    assert result["needs"] == 2
