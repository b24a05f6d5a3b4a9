"""The learned combiner: a logistic model over pair features, giving a calibrated 0-100 score.

The score is 100 × P(relevant | features). Features are absolute (cosines, graph strengths,
facts), not ranks within a need, so "80" means the same for every need. Weights live in
models/ranker/weights.json (see its model card); without that file the defaults below,
set by hand from the features' meaning, are used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchmaker.matching.features import FEATURES

DEFAULT_WEIGHTS: dict[str, float] = {
    "text_all": 6.0,
    "text_title": 2.0,
    "text_capabilities": 3.0,
    "text_summary": 1.0,
    "graph_same": 3.0,
    "graph_supplier": 1.2,
    "graph_sibling": 0.8,
    "graph_two_hops": 0.4,
    "graph_same_chain": 0.2,
    "graph_buyer": -1.5,
    "cert_met": 0.5,
    "cert_missing": -1.0,
    "region_met": 0.3,
    "region_missing": -0.5,
    "type_open": 0.4,
    "type_not_open": -0.6,
    "funding_fit": 0.4,
    "tag_prior": 0.2,
    "cue_buyer": -1.5,
    "cue_distributor": -1.0,
    "cue_investor": -1.0,
}
DEFAULT_BIAS = -4.5
BANDS = ((70, "强匹配"), (45, "较匹配"), (0, "一般"))


def band(score: int) -> str:
    return next(label for threshold, label in BANDS if score >= threshold)


@dataclass
class Ranker:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bias: float = DEFAULT_BIAS
    card: dict[str, Any] = field(default_factory=dict)

    def logit(self, features: dict[str, float]) -> float:
        return self.bias + sum(
            self.weights.get(name, 0.0) * value for name, value in features.items()
        )

    def probability(self, features: dict[str, float]) -> float:
        z = self.logit(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def score(self, features: dict[str, float]) -> int:
        return round(100 * self.probability(features))

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        return {name: self.weights.get(name, 0.0) * value for name, value in features.items()}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "features": list(FEATURES),
            "weights": self.weights,
            "bias": self.bias,
            "card": self.card,
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Ranker:
        """The saved model, or the defaults when there is none."""
        if not path.exists():
            return cls()
        payload = json.loads(path.read_text(encoding="utf-8"))
        weights = {name: float(payload["weights"].get(name, 0.0)) for name in FEATURES}
        return cls(weights=weights, bias=float(payload["bias"]), card=dict(payload.get("card", {})))


# The direction each feature must push a score. A weight fitted against its meaning (say,
# rewarding a buyer) reflects quirks of a small labelled set rather than a general signal,
# so such a feature is dropped and the rest refitted.
EXPECTED_SIGN = {name: (-1 if DEFAULT_WEIGHTS[name] < 0 else 1) for name in DEFAULT_WEIGHTS}


def fit(
    rows: Sequence[dict[str, float]], grades: Sequence[int], *, regularisation: float = 1.0
) -> Ranker:
    """Fit P(grade ≥ 1) by logistic regression (grade-2 pairs count double), keeping every
    weight on the side its feature's meaning requires."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    labels = np.array([1 if grade > 0 else 0 for grade in grades])
    sample_weight = np.array([2.0 if grade > 1 else 1.0 for grade in grades])
    active = list(FEATURES)
    while True:
        matrix = np.array([[row.get(name, 0.0) for name in active] for row in rows])
        model = LogisticRegression(C=regularisation, max_iter=5000)
        model.fit(matrix, labels, sample_weight=sample_weight)
        learned = dict(zip(active, (float(w) for w in model.coef_[0]), strict=True))
        wrong = [n for n, w in learned.items() if w * EXPECTED_SIGN.get(n, 1) < 0]
        if not wrong:
            break
        active.remove(min(wrong, key=lambda n: learned[n] * EXPECTED_SIGN.get(n, 1)))
    weights = {name: round(learned.get(name, 0.0), 4) for name in FEATURES}
    return Ranker(weights=weights, bias=round(float(model.intercept_[0]), 4))
