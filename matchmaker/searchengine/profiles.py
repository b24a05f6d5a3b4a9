"""Candidate retrieval on Elasticsearch or OpenSearch: the CandidateRetriever of matching.

The engine in this process still scores the candidates with the learned ranker and writes
the explanations; the search engine only replaces the first pass over every profile, the
part whose cost grows with the number of profiles. The query mirrors the in-memory pass:
the need's most distinctive terms (from the engine's own TF-IDF row, so the two passes
weigh words alike) plus a boost per related chain segment, weighted as the engine weighs
upstream and downstream relations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from matchmaker.matching.retrieval import GRAPH_BOOST
from matchmaker.matching.text import normalise
from matchmaker.searchengine.client import SearchClient
from matchmaker.searchengine.indices import AliasedIndex
from matchmaker.searchengine.mappings import PROFILE_PROPERTIES

if TYPE_CHECKING:
    from matchmaker.matching.documents import ProfileDoc
    from matchmaker.matching.engine import Engine

QUERY_TERMS = 32  # the need's heaviest terms; more slows the query and adds little
PROFILE_TERMS = 256  # a profile's heaviest terms, kept as keywords
TERM_BOOST = 10.0  # a TF-IDF weight (0..1) as a match boost
SEGMENT_BOOST = 10.0 * GRAPH_BOOST / 0.5  # on the scale the terms give
MARGIN = 1.2  # ask for more than needed: ids the engine dropped meanwhile are skipped


def heaviest_terms(engine: Engine, table: Any, doc_id: str, count: int) -> list[tuple[str, float]]:
    """The engine's own analysed terms of a document (its dictionary words, synonyms folded
    to one term), heaviest TF-IDF weight first."""
    vectors = engine.vectors
    if vectors is None:
        return []
    columns, weights = table.row_arrays(doc_id, "all")
    order = np.argsort(-weights)[:count]
    return [(str(vectors.terms[columns[i]]), float(weights[i])) for i in order]


def profile_source(engine: Engine, doc: ProfileDoc) -> dict[str, Any]:
    segments = [score.segment_id for score in doc.segments]
    related = {other for segment in segments for other in engine.relations.related(segment)}
    terms = heaviest_terms(engine, engine.profiles, doc.id, PROFILE_TERMS)
    return {
        "id": doc.id,
        "enterprise_id": doc.enterprise_id,
        "title": normalise(doc.title),
        "text": normalise(doc.text),
        "terms": [term for term, _weight in terms],
        "segments": segments,
        "neighbours": sorted(related - set(segments)),
        "certifications": list(doc.cert_keys),
        "regions": list(doc.regions),
        "district": doc.district,
        "tags": list(doc.tags),
        "open_to": sorted(doc.open_to),
    }


class EngineRetriever:
    """Profiles of `engine` mirrored in the index behind `alias`."""

    def __init__(self, engine: Engine, client: SearchClient, alias: str, replicas: int = 0):
        self.engine = engine
        self.client = client
        self.alias = alias
        self.index_ = AliasedIndex(client, alias, PROFILE_PROPERTIES, replicas)

    def rebuild(self) -> int:
        """Index every profile the engine holds, into a new index behind the alias."""
        docs = list(self.engine.profiles.docs.values())
        return self.index_.rebuild(profile_source(self.engine, doc) for doc in docs)

    def deliver(self, profile_ids: Iterable[str], refresh: bool = True) -> None:
        """Mirror these profiles as the engine holds them now: present ones are written,
        ones the engine no longer holds (removed, unpublished) are deleted."""
        held = self.engine.profiles.docs
        ids = list(dict.fromkeys(profile_ids))
        sources = [profile_source(self.engine, held[i]) for i in ids if i in held]
        self.index_.ensure()
        self.index_.write(sources, [i for i in ids if i not in held], refresh)

    def candidates(self, need_id: str, count: int) -> list[str]:
        need = self.engine.needs.docs[need_id]
        should = self._term_clauses(need_id) + self._segment_clauses(need.segments)
        # Every profile is a candidate, as in the in-memory pass, so a small index fills
        # `count`; a near-zero constant keeps the unrelated ones last, and with no total to
        # count the engine skips them once `count` better ones are found.
        should.append({"match_all": {"boost": 0.0001}})
        body = {
            "query": {"bool": {"should": should}},
            "size": int(count * MARGIN) + 10,
            "_source": False,
            "track_total_hits": False,
        }
        hits = self.client.search(self.alias, body)["hits"]["hits"]
        held = self.engine.profiles.docs
        found = [hit["_id"] for hit in hits if hit["_id"] in held]
        return list(dict.fromkeys(found))[:count]

    def _term_clauses(self, need_id: str) -> list[dict[str, Any]]:
        """Each heavy term of the need twice: as the engine's own term (exact, so synonyms
        folded by the analyser match) and as text (so wording the analyser split still
        matches through character pairs)."""
        clauses: list[dict[str, Any]] = []
        for term, weight in heaviest_terms(self.engine, self.engine.needs, need_id, QUERY_TERMS):
            boost = round(weight * TERM_BOOST, 4)
            clauses.append({"term": {"terms": {"value": term, "boost": boost}}})
            text = normalise(term)
            if text.strip():
                clauses.append(
                    {"match": {"text": {"query": text, "operator": "and", "boost": boost}}}
                )
        return clauses

    def _segment_clauses(self, segments: Iterable[Any]) -> list[dict[str, Any]]:
        weights = self.engine.relation_weights(list(segments))
        ids = self.engine.assigner.segment_ids
        return [
            {"term": {"segments": {"value": ids[column], "boost": round(boost, 4)}}}
            for column in np.flatnonzero(weights > 0)
            if (boost := float(weights[column]) * SEGMENT_BOOST) > 0
        ]
