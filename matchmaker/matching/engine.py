"""The matching engine: analyse documents, keep them indexed, rank pairs and explain them.

Ranking a need: a cheap pass over every profile (text similarity of the whole profile plus a
boost for profiles on related chain segments) picks candidates; each candidate then gets the
full feature set, the learned ranker's calibrated score and reasons. Recommending needs to a
profile runs the same features the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from matchmaker.matching.analysis import Document, analyse
from matchmaker.matching.assign import SegmentAssigner
from matchmaker.matching.chain import (
    RELATION_STRENGTH,
    ChainGraph,
    Relation,
    Relations,
    default_chain_graph,
    dictionary_terms,
)
from matchmaker.matching.documents import NeedDoc, ProfileDoc
from matchmaker.matching.explain import Reason, explain
from matchmaker.matching.features import TEXT_FEATURES, pair_features
from matchmaker.matching.ranker import Ranker, band
from matchmaker.matching.retrieval import CandidateRetriever, InMemoryRetriever, top_indices
from matchmaker.matching.table import DocTable
from matchmaker.matching.text import Analyzer
from matchmaker.matching.vectors import CountBuilder, Vectoriser
from matchmaker.matching.wording import sentences

CANDIDATES = 300
PROFILE_FIELDS = ("all", "title", "capabilities", "summary")
PROFILE_TEXT_FIELDS = ("title", "capabilities", "summary")
NEED_FIELDS = ("all",)
NEED_TEXT_FIELDS = ("title", "text")
# Which profile field each text feature compares the need's whole text with.
TEXT_FIELD_OF = dict(zip(TEXT_FEATURES, PROFILE_FIELDS, strict=True))


@dataclass(frozen=True)
class Match:
    need_id: str
    profile_id: str
    need_enterprise_id: str
    profile_enterprise_id: str
    score: int
    band: str
    features: dict[str, float]
    reasons: list[str]
    explained: list[Reason]


class Engine:
    """Holds the graph, the analysers, the ranker and the indexed documents."""

    def __init__(self, chain_graph: ChainGraph, ranker: Ranker) -> None:
        self.chain_graph = chain_graph
        self.default_graph = chain_graph is default_chain_graph()
        self.analyzer = Analyzer(dictionary_terms(chain_graph))
        self.assigner = SegmentAssigner(chain_graph, self.analyzer)
        self.relations = Relations(chain_graph)
        self.ranker = ranker
        self.vectors: Vectoriser | None = None
        self.retriever: CandidateRetriever = InMemoryRetriever(self)
        self._domain: np.ndarray = np.zeros(0, dtype=bool)
        self._shown: np.ndarray = np.zeros(0, dtype=bool)
        self.profiles: DocTable[ProfileDoc] = DocTable(PROFILE_FIELDS, scanned=("all",))
        self.needs: DocTable[NeedDoc] = DocTable(NEED_FIELDS)

    # Building and updating ---------------------------------------------------------------
    def build(
        self,
        profiles: Sequence[ProfileDoc],
        needs: Sequence[NeedDoc],
        own: dict[str, list[str]],
        *,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Index everything from scratch; the vocabulary and IDF come from this corpus.

        `progress(done, total)` is called as documents are analysed, the slow part.
        """
        total, done = len(profiles) + len(needs), 0
        vocabulary: dict[str, int] = {}
        profile_counts = {f: CountBuilder(vocabulary, grow=True) for f in PROFILE_TEXT_FIELDS}
        need_counts = {f: CountBuilder(vocabulary, grow=True) for f in NEED_TEXT_FIELDS}
        batches: tuple[tuple[Sequence[Document], dict[str, CountBuilder], bool], ...] = (
            (profiles, profile_counts, True),
            (needs, need_counts, False),
        )
        for docs, builders, offered in batches:
            for doc, (segments, fields) in zip(
                docs, analyse(self, docs, offered, own, workers), strict=True
            ):
                doc.segments = segments
                for builder, tokens in zip(builders.values(), fields, strict=True):
                    builder.add(tokens)
                done += 1
                if progress is not None and (done % 1000 == 0 or done == total):
                    progress(done, total)
        width = len(vocabulary)
        profile_matrices = {f: b.matrix(width) for f, b in profile_counts.items()}
        need_matrices = {f: b.matrix(width) for f, b in need_counts.items()}
        profile_all = sum(
            profile_matrices.values(), sp.csr_matrix((len(profiles), width), dtype=np.float32)
        )
        need_all = sum(need_matrices.values(), sp.csr_matrix((len(needs), width), dtype=np.float32))
        min_df = 2 if len(profiles) + len(needs) > 5000 else 1
        vectors, keep = Vectoriser.fit(
            sp.vstack([profile_all, need_all]).tocsr(), vocabulary, min_df
        )
        self._explain_with(vectors)
        weighted = {"all": vectors.weigh(profile_all[:, keep])}
        weighted |= {f: vectors.weigh(m[:, keep]) for f, m in profile_matrices.items()}
        self.profiles = DocTable(PROFILE_FIELDS, scanned=("all",))
        self.needs = DocTable(NEED_FIELDS)
        self.profiles.add(
            profiles, [d.id for d in profiles], weighted, self._segment_matrix(profiles)
        )
        need_weighted = {"all": vectors.weigh(need_all[:, keep])}
        self.needs.add(needs, [d.id for d in needs], need_weighted, self._segment_matrix(needs))

    def upsert_profiles(self, docs: Sequence[ProfileDoc]) -> None:
        if not docs:
            return
        fields = self._analyse_in_place(docs, offered=True, own={})
        matrices = {"all": self._vectors().transform([[t for f in d for t in f] for d in fields])}
        for position, name in enumerate(PROFILE_TEXT_FIELDS):
            matrices[name] = self._vectors().transform([d[position] for d in fields])
        self.profiles.add(docs, [d.id for d in docs], matrices, self._segment_matrix(docs))

    def upsert_needs(self, docs: Sequence[NeedDoc], own: dict[str, list[str]]) -> None:
        if not docs:
            return
        fields = self._analyse_in_place(docs, offered=False, own=own)
        matrices = {"all": self._vectors().transform([[t for f in d for t in f] for d in fields])}
        self.needs.add(docs, [d.id for d in docs], matrices, self._segment_matrix(docs))

    def _analyse_in_place(
        self, docs: Sequence[Document], *, offered: bool, own: dict[str, list[str]]
    ) -> list[list[list[str]]]:
        result = []
        for doc, (segments, fields) in zip(docs, analyse(self, docs, offered, own, 1), strict=True):
            doc.segments = segments
            result.append(fields)
        return result

    def remove_profiles(self, ids: Iterable[str]) -> None:
        self.profiles.remove(list(ids))

    def remove_needs(self, ids: Iterable[str]) -> None:
        self.needs.remove(list(ids))

    def own_segments(self, enterprise_text: str) -> list[str]:
        """What an enterprise itself does, from its description (to tell asks from context)."""
        return [s.segment_id for s in self.assigner.assign([(enterprise_text, 1.0)], offered=True)]

    def _vectors(self) -> Vectoriser:
        if self.vectors is None:
            raise RuntimeError("the engine has not been built")
        return self.vectors

    def _segment_matrix(self, docs: Sequence[Document]) -> Any:
        rows, cols, values = [], [], []
        for row, doc in enumerate(docs):
            for score in doc.segments:
                rows.append(row)
                cols.append(self.assigner.column[score.segment_id])
                values.append(score.confidence)
        shape = (len(docs), len(self.assigner.segment_ids))
        return sp.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float32)

    # Ranking -----------------------------------------------------------------------------
    def relation_weights(self, segments: Sequence[Any]) -> np.ndarray:
        """Per segment column: how strongly an offer there serves these asked segments."""
        weights = np.zeros(len(self.assigner.segment_ids), dtype=np.float64)
        for score in segments:
            for other, relation in self.relations.related(score.segment_id).items():
                if relation is Relation.BUYER:
                    continue
                column = self.assigner.column[other]
                weights[column] = max(
                    weights[column], score.confidence * RELATION_STRENGTH[relation]
                )
        return weights

    def candidates(self, need_id: str, count: int = CANDIDATES) -> list[str]:
        """The profiles worth full scoring, from the retriever (in-memory by default)."""
        return self.retriever.candidates(need_id, count)

    def text_ranking(self, need_id: str, top: int = 50) -> list[str]:
        """Profiles by text similarity alone (for evaluation)."""
        scores = self.profiles.scores("all", self.needs.row(need_id, "all"))
        ids = self.profiles.ids()
        order = top_indices(scores, top)
        return [ids[i] for i in sorted(order, key=lambda i: (-scores[i], ids[i]))]

    def match(self, need_id: str, top: int = 50) -> list[Match]:
        """The best profiles for a need, best first, each with features and reasons."""
        need_terms = self.needs.row_arrays(need_id, "all")
        return [
            self._explained(n, p, f, need_terms, self.profiles.row_arrays(p.id, "all"))
            for n, p, f in self._best(self._scored_candidates(need_id), top)
        ]

    def top_scores(self, need_id: str, top: int = 50) -> list[int]:
        """Scores of the best profiles without explanations, for counting good candidates."""
        best = self._best(self._scored_candidates(need_id), top)
        return [self.ranker.score(features) for _n, _p, features in best]

    def match_profiles(self, need_id: str, profile_ids: Iterable[str]) -> list[Match]:
        """These profiles for a need (indexed ones only), best first, scored and explained
        exactly as `match` would; for callers that already know whom to compare."""
        wanted = sorted({p for p in profile_ids if p in self.profiles})
        need_terms = self.needs.row_arrays(need_id, "all")
        return [
            self._explained(n, p, f, need_terms, self.profiles.row_arrays(p.id, "all"))
            for n, p, f in self._best(self._scored(need_id, wanted), len(wanted))
        ]

    def _scored_candidates(self, need_id: str) -> list[Scored]:
        return self._scored(need_id, self.candidates(need_id))

    def _scored(self, need_id: str, candidates: list[str]) -> list[Scored]:
        need = self.needs.docs[need_id]
        query = self.needs.row(need_id, "all")
        text = {
            name: self.profiles.scores_for(field, query, candidates)
            for name, field in TEXT_FIELD_OF.items()
        }
        scored = []
        for position, profile_id in enumerate(candidates):
            similarities = {name: float(values[position]) for name, values in text.items()}
            profile = self.profiles.docs[profile_id]
            scored.append(
                (need, profile, pair_features(need, profile, similarities, self.relations))
            )
        return scored

    def recommend(
        self, profile_id: str, top: int = 50, open_needs: set[str] | None = None
    ) -> list[Match]:
        """The best needs for a profile (among `open_needs` when given), best first."""
        profile = self.profiles.docs[profile_id]
        profile_terms = self.profiles.row_arrays(profile_id, "all")
        scores = {
            name: self.needs.scores("all", self.profiles.row(profile_id, field))
            for name, field in TEXT_FIELD_OF.items()
        }
        scored = []
        for index, need_id in enumerate(self.needs.ids()):
            if not np.isfinite(scores["text_all"][index]):
                continue
            if open_needs is not None and need_id not in open_needs:
                continue
            similarities = {name: float(values[index]) for name, values in scores.items()}
            need = self.needs.docs[need_id]
            scored.append(
                (need, profile, pair_features(need, profile, similarities, self.relations))
            )
        return [
            self._explained(n, p, f, self.needs.row_arrays(n.id, "all"), profile_terms)
            for n, p, f in self._best(scored, top)
        ]

    def features_for(self, need_id: str, profile_id: str) -> dict[str, float]:
        """Features of one pair, for training and evaluation."""
        need = self.needs.docs[need_id]
        profile = self.profiles.docs[profile_id]
        query = self.needs.row(need_id, "all")
        text = {
            name: float(self.profiles.scores_for(field, query, [profile_id])[0])
            for name, field in TEXT_FIELD_OF.items()
        }
        return pair_features(need, profile, text, self.relations)

    def _best(self, scored: list[Scored], top: int) -> list[Scored]:
        """Best first by the ranker; ties by text similarity, then ids, for stable output."""
        keyed = [(self.ranker.logit(f), f["text_all"], n.id, p.id, (n, p, f)) for n, p, f in scored]
        keyed.sort(key=lambda item: (-item[0], -item[1], item[2], item[3]))
        return [item[4] for item in keyed[:top]]

    def _explained(
        self,
        need: NeedDoc,
        profile: ProfileDoc,
        features: dict[str, float],
        need_terms: tuple[Any, Any],
        profile_terms: tuple[Any, Any],
    ) -> Match:
        score = self.ranker.score(features)
        terms = self._matched_terms(need_terms, profile_terms)
        explained = explain(need, profile, features, terms, self.relations)
        return Match(
            need_id=need.id,
            profile_id=profile.id,
            need_enterprise_id=need.enterprise_id,
            profile_enterprise_id=profile.enterprise_id,
            score=score,
            band=band(score),
            features={name: round(value, 4) for name, value in features.items()},
            reasons=sentences(explained),
            explained=explained,
        )

    def _matched_terms(
        self, need_terms: tuple[Any, Any], profile_terms: tuple[Any, Any]
    ) -> list[str]:
        """Words both texts contain: domain terms first, then by weight in both."""
        shared, in_need, in_profile = np.intersect1d(
            need_terms[0], profile_terms[0], assume_unique=True, return_indices=True
        )
        keep = self._shown[shared]
        if not keep.any():
            return []
        shared, weight = shared[keep], (need_terms[1][in_need] * profile_terms[1][in_profile])[keep]
        order = np.lexsort((-weight, ~self._domain[shared]))
        terms = self._vectors().terms
        return [terms[i][2:] for i in shared[order]]

    def restore(
        self, vectors: Vectoriser, profiles: DocTable[ProfileDoc], needs: DocTable[NeedDoc]
    ) -> None:
        """Take over an index built earlier (loaded from disk) instead of building one."""
        self._explain_with(vectors)
        self.profiles, self.needs = profiles, needs

    def _explain_with(self, vectors: Vectoriser) -> None:
        """Use these vectors, and mark which of their terms an explanation may show."""
        self.vectors = vectors
        terms = vectors.terms
        words = np.array([term.startswith("w:") for term in terms], dtype=bool)
        domain = np.array([term[2:] in self.assigner.terms for term in terms], dtype=bool)
        readable = np.array(
            [len(term) >= 5 and not term[2:].isdigit() for term in terms], dtype=bool
        )
        self._domain = words & domain
        self._shown = words & (domain | readable)


Scored = tuple[NeedDoc, ProfileDoc, dict[str, float]]
