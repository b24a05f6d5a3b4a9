import random
from pathlib import Path

import pytest

from matchmaker.matching.features import FEATURES
from matchmaker.matching.ranker import DEFAULT_WEIGHTS, Ranker, band, fit


def test_defaults_cover_every_feature() -> None:
    assert set(DEFAULT_WEIGHTS) == set(FEATURES)


def test_missing_model_file_gives_defaults_and_save_load_round_trips(tmp_path: Path) -> None:
    assert Ranker.load(tmp_path / "none.json").weights == DEFAULT_WEIGHTS
    ranker = Ranker(weights={**DEFAULT_WEIGHTS, "text_all": 1.25}, bias=-2.0, card={"trained": "x"})
    ranker.save(tmp_path / "w.json")
    loaded = Ranker.load(tmp_path / "w.json")
    assert (loaded.weights, loaded.bias, loaded.card) == (ranker.weights, -2.0, {"trained": "x"})


@pytest.mark.parametrize(
    ("score", "label"),
    [(100, "强匹配"), (70, "强匹配"), (69, "较匹配"), (45, "较匹配"), (44, "一般"), (0, "一般")],
)
def test_bands_are_fixed_thresholds(score: int, label: str) -> None:
    assert band(score) == label


def test_score_is_a_probability_in_percent() -> None:
    ranker = Ranker(weights=dict.fromkeys(FEATURES, 0.0), bias=0.0)
    assert ranker.score(dict.fromkeys(FEATURES, 1.0)) == 50


def test_fit_learns_signal_and_drops_weights_against_their_meaning() -> None:
    rng = random.Random(0)
    rows, grades = [], []
    for _ in range(400):
        relevant = rng.random() < 0.3
        row = dict.fromkeys(FEATURES, 0.0)
        row["text_all"] = rng.uniform(0.3, 0.6) if relevant else rng.uniform(0.0, 0.3)
        # In this sample, buyers happen to be labelled relevant: a quirk the fit must not learn.
        row["cue_buyer"] = 1.0 if relevant and rng.random() < 0.5 else 0.0
        rows.append(row)
        grades.append(2 if relevant else 0)
    ranker = fit(rows, grades)
    assert ranker.weights["text_all"] > 1.0
    assert ranker.weights["cue_buyer"] == 0.0
    strong = {**dict.fromkeys(FEATURES, 0.0), "text_all": 0.55}
    weak = {**strong, "text_all": 0.05}
    assert ranker.score(strong) > 50 > ranker.score(weak)
