"""Analyse documents into segments and per-field tokens, on every core for large builds.

jieba is the slowest step of an index build, so a build over many documents fans chunks out
to worker processes, each with its own analysers over the shipped chain graph.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from matchmaker.matching.assign import SegmentAssigner, SegmentScore
from matchmaker.matching.documents import NeedDoc, ProfileDoc

if TYPE_CHECKING:
    from matchmaker.matching.engine import Engine

Document = NeedDoc | ProfileDoc
AnalysedDoc = tuple[list[SegmentScore], list[list[str]]]
CHUNK = 1000
PARALLEL_FROM = 5000

_worker_assigner: SegmentAssigner | None = None


def analyse_chunk(
    assigner: SegmentAssigner, docs: Sequence[Document], offered: bool, own: dict[str, list[str]]
) -> list[AnalysedDoc]:
    """Segments and token lists (one list per text field) of each document."""
    fields = [
        [(assigner.analyse(text, offered=offered), weight) for text, weight in doc.fields()]
        for doc in docs
    ]
    tokens = [[a.tokens() for a, _ in doc_fields] for doc_fields in fields]
    similarity = assigner.classify([[t for field in doc for t in field] for doc in tokens])
    return [
        (
            with_explicit(
                assigner.segments(
                    doc_fields, row, own.get(doc.enterprise_id, ()) if not offered else ()
                ),
                doc.explicit,
            ),
            doc_tokens,
        )
        for doc, doc_fields, doc_tokens, row in zip(docs, fields, tokens, similarity, strict=True)
    ]


def with_explicit(found: list[SegmentScore], chosen: Sequence[str]) -> list[SegmentScore]:
    """A user's own choice of segments is certain; the text adds what they did not name."""
    if not chosen:
        return found
    explicit = [SegmentScore(segment_id, 1.0, ()) for segment_id in chosen]
    return explicit + [score for score in found if score.segment_id not in set(chosen)]


def analyse(
    engine: Engine, docs: Sequence[Document], offered: bool, own: dict[str, list[str]], workers: int
) -> Iterator[AnalysedDoc]:
    chunks = [docs[start : start + CHUNK] for start in range(0, len(docs), CHUNK)]
    if workers <= 1 or len(docs) < PARALLEL_FROM or not engine.default_graph:
        for chunk in chunks:
            yield from analyse_chunk(engine.assigner, chunk, offered, own)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool:
        for result in pool.map(_work, [(chunk, offered, own) for chunk in chunks]):
            yield from result


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _start_worker() -> None:
    global _worker_assigner
    from matchmaker.matching.chain import default_chain_graph, dictionary_terms
    from matchmaker.matching.text import Analyzer

    graph = default_chain_graph()
    _worker_assigner = SegmentAssigner(graph, Analyzer(dictionary_terms(graph)))


def _work(args: tuple[Sequence[Document], bool, dict[str, list[str]]]) -> list[AnalysedDoc]:
    if _worker_assigner is None:
        raise RuntimeError("worker not started")
    docs, offered, own = args
    return analyse_chunk(_worker_assigner, docs, offered, own)
