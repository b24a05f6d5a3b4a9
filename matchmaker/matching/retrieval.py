"""Candidate retrieval: the cheap first pass that picks the profiles worth full scoring.

The engine scores candidates with the same features, ranker and explanations whichever
retriever found them, so a search engine (Elasticsearch, OpenSearch) can take this job at
scale by implementing the Protocol below; the in-memory retriever is the default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from matchmaker.matching.engine import Engine

GRAPH_BOOST = 0.5


class CandidateRetriever(Protocol):
    def candidates(self, need_id: str, count: int) -> list[str]:
        """Ids of at most `count` indexed, published profiles most likely to serve the need.

        Contract: every id returned is a profile the engine has indexed (removed or
        unpublished profiles never come back); no id twice; a profile that shares the need's
        distinctive terms or sits on the need's segment is among the candidates when fewer
        than `count` profiles do; the need itself must be indexed, else KeyError.
        """
        ...


class InMemoryRetriever:
    """Text similarity of the whole profile plus a boost for related chain segments."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def candidates(self, need_id: str, count: int) -> list[str]:
        engine = self.engine
        need = engine.needs.docs[need_id]
        query = engine.needs.row(need_id, "all")
        cheap = engine.profiles.scores("all", query)
        cheap += GRAPH_BOOST * engine.profiles.segment_scores(
            engine.relation_weights(need.segments)
        )
        ids = engine.profiles.ids()
        return [ids[i] for i in top_indices(cheap, count)]


def top_indices(values: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` largest finite values (dead rows are -inf), in no order."""
    finite = np.isfinite(values)
    if finite.sum() <= count:
        return np.flatnonzero(finite)
    return np.argpartition(-np.where(finite, values, -np.inf), count)[:count]
