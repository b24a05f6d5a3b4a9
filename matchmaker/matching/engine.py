"""The matching engine: analyse documents, keep them indexed, rank pairs and explain them.

Ranking a need: a cheap pass over every profile (text similarity of the whole profile plus a
boost for profiles on related chain segments) picks candidates; each candidate then gets the
full feature set, the learned ranker's calibrated score and reasons. Recommending needs to a
profile runs the same features the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matchmaker.matching.assign import Analysed, SegmentAssigner
from matchmaker.matching.chain import RELATION_STRENGTH, ChainGraph, Relation, Relations
from matchmaker.matching.documents import NeedDoc, ProfileDoc
from matchmaker.matching.explain import reasons
from matchmaker.matching.features import TEXT_FEATURES, pair_features
from matchmaker.matching.ranker import Ranker, band
from matchmaker.matching.table import DocTable
from matchmaker.matching.text import Analyzer

CANDIDATES = 300
GRAPH_BOOST = 0.5
PROFILE_FIELDS = ("all", "title", "capabilities", "summary")
NEED_FIELDS = ("all",)
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


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class Engine:
    """Holds the graph, the analysers, the ranker and the indexed documents."""

    def __init__(self, chain_graph: ChainGraph, ranker: Ranker) -> None:
        terms = [
            t
            for s in chain_graph.segments.values()
            for t in (s.name, *s.aliases, *s.keywords, *s.products)
        ]
        self.chain_graph = chain_graph
        self.analyzer = Analyzer(terms)
        self.assigner = SegmentAssigner(chain_graph, self.analyzer)
        self.relations = Relations(chain_graph)
        self.ranker = ranker
        self.vectoriser: TfidfVectorizer | None = None
        self.vocabulary: np.ndarray = np.array([], dtype=object)
        self.profiles: DocTable[ProfileDoc] = DocTable(PROFILE_FIELDS)
        self.needs: DocTable[NeedDoc] = DocTable(NEED_FIELDS)

    # Analysis ----------------------------------------------------------------------------
    def _analyse_profiles(self, docs: Sequence[ProfileDoc]) -> list[list[tuple[Analysed, float]]]:
        return [
            [(self.assigner.analyse(text, offered=True), weight) for text, weight in doc.fields()]
            for doc in docs
        ]

    def _analyse_needs(self, docs: Sequence[NeedDoc]) -> list[list[tuple[Analysed, float]]]:
        return [
            [(self.assigner.analyse(text, offered=False), weight) for text, weight in doc.fields()]
            for doc in docs
        ]

    def _segment_matrix(self, assigned: Sequence[Sequence[Any]]) -> Any:
        rows, cols, values = [], [], []
        for row, scores in enumerate(assigned):
            for score in scores:
                rows.append(row)
                cols.append(self.assigner.column[score.segment_id])
                values.append(score.confidence)
        shape = (len(assigned), len(self.assigner.segment_ids))
        return sp.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float32)

    # Building and updating ---------------------------------------------------------------
    def build(
        self, profiles: Sequence[ProfileDoc], needs: Sequence[NeedDoc], own: dict[str, list[str]]
    ) -> None:
        """Index everything from scratch; the vocabulary and IDF come from this corpus."""
        profile_fields = self._analyse_profiles(profiles)
        need_fields = self._analyse_needs(needs)
        corpus = [self._tokens(f) for f in profile_fields] + [self._tokens(f) for f in need_fields]
        self.vectoriser = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            min_df=2 if len(corpus) > 5000 else 1,
            dtype=np.float32,
        )
        self.vectoriser.fit(corpus)
        self.vocabulary = np.array(self.vectoriser.get_feature_names_out(), dtype=object)
        self.profiles = DocTable(PROFILE_FIELDS)
        self.needs = DocTable(NEED_FIELDS)
        self._add_profiles(profiles, profile_fields)
        self._add_needs(needs, need_fields, own)

    def upsert_profiles(self, docs: Sequence[ProfileDoc]) -> None:
        self._add_profiles(docs, self._analyse_profiles(docs))

    def upsert_needs(self, docs: Sequence[NeedDoc], own: dict[str, list[str]]) -> None:
        self._add_needs(docs, self._analyse_needs(docs), own)

    def remove_profiles(self, ids: Iterable[str]) -> None:
        self.profiles.remove(list(ids))

    def remove_needs(self, ids: Iterable[str]) -> None:
        self.needs.remove(list(ids))

    def own_segments(self, enterprise_text: str) -> list[str]:
        """What an enterprise itself does, from its description (to tell asks from context)."""
        return [s.segment_id for s in self.assigner.assign([(enterprise_text, 1.0)], offered=True)]

    @staticmethod
    def _tokens(fields: Sequence[tuple[Analysed, float]]) -> list[str]:
        return [token for analysed, _ in fields for token in analysed.tokens()]

    def _transform(self, token_lists: list[list[str]]) -> Any:
        if self.vectoriser is None:
            raise RuntimeError("the engine has not been built")
        return self.vectoriser.transform(token_lists)

    def _add_profiles(
        self, docs: Sequence[ProfileDoc], analysed: list[list[tuple[Analysed, float]]]
    ) -> None:
        if not docs:
            return
        every = [self._tokens(fields) for fields in analysed]
        similarity = self.assigner.classify(every)
        for doc, fields, row in zip(docs, analysed, similarity, strict=True):
            doc.segments = self.assigner.segments(fields, row)
        matrices = {"all": self._transform(every)}
        for name, position in (("title", 0), ("capabilities", 1), ("summary", 2)):
            matrices[name] = self._transform([fields[position][0].tokens() for fields in analysed])
        self.profiles.add(
            docs, [d.id for d in docs], matrices, self._segment_matrix([d.segments for d in docs])
        )

    def _add_needs(
        self,
        docs: Sequence[NeedDoc],
        analysed: list[list[tuple[Analysed, float]]],
        own: dict[str, list[str]],
    ) -> None:
        if not docs:
            return
        every = [self._tokens(fields) for fields in analysed]
        similarity = self.assigner.classify(every)
        for doc, fields, row in zip(docs, analysed, similarity, strict=True):
            doc.segments = self.assigner.segments(fields, row, own.get(doc.enterprise_id, ()))
        matrices = {"all": self._transform(every)}
        self.needs.add(
            docs, [d.id for d in docs], matrices, self._segment_matrix([d.segments for d in docs])
        )

    # Ranking -----------------------------------------------------------------------------
    def _relation_weights(self, segments: Sequence[Any]) -> np.ndarray:
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
        """The profiles worth full scoring: text similarity plus related-segment boost."""
        need = self.needs.docs[need_id]
        query = self.needs.row(need_id, "all")
        cheap = self.profiles.scores("all", query)
        cheap += GRAPH_BOOST * self.profiles.segment_scores(self._relation_weights(need.segments))
        ids = self.profiles.ids()
        return [ids[i] for i in _top_indices(cheap, count)]

    def text_ranking(self, need_id: str, top: int = 50) -> list[str]:
        """Profiles by text similarity alone (for evaluation)."""
        scores = self.profiles.scores("all", self.needs.row(need_id, "all"))
        ids = self.profiles.ids()
        order = _top_indices(scores, top)
        return [ids[i] for i in sorted(order, key=lambda i: (-scores[i], ids[i]))]

    def match(self, need_id: str, top: int = 50) -> list[Match]:
        """The best profiles for a need, best first, each with features and reasons."""
        need = self.needs.docs[need_id]
        query = self.needs.row(need_id, "all")
        candidates = self.candidates(need_id)
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
        return [
            self._explained(n, p, f, query, self.profiles.row(p.id, "all"))
            for n, p, f in self._best(scored, top)
        ]

    def recommend(
        self, profile_id: str, top: int = 50, open_needs: set[str] | None = None
    ) -> list[Match]:
        """The best needs for a profile (among `open_needs` when given), best first."""
        profile = self.profiles.docs[profile_id]
        profile_row = self.profiles.row(profile_id, "all")
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
            self._explained(n, p, f, self.needs.row(n.id, "all"), profile_row)
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
        need_row: Any,
        profile_row: Any,
    ) -> Match:
        score = self.ranker.score(features)
        terms = self._matched_terms(need_row, profile_row)
        return Match(
            need_id=need.id,
            profile_id=profile.id,
            need_enterprise_id=need.enterprise_id,
            profile_enterprise_id=profile.enterprise_id,
            score=score,
            band=band(score),
            features={name: round(value, 4) for name, value in features.items()},
            reasons=reasons(need, profile, features, terms, self.relations),
        )

    def _matched_terms(self, need_row: Any, profile_row: Any) -> list[str]:
        """Words both texts contain: domain terms first, then by weight in both."""
        need_weights = dict(zip(need_row.indices, need_row.data, strict=True))
        shared = []
        for index, weight in zip(profile_row.indices, profile_row.data, strict=True):
            if index in need_weights and self.vocabulary[index].startswith("w:"):
                word = self.vocabulary[index][2:]
                domain = word in self.assigner.terms
                if domain or (len(word) >= 3 and not word.isdigit()):
                    shared.append((not domain, -weight * need_weights[index], word))
        shared.sort()
        return [word for _, _, word in shared]


Scored = tuple[NeedDoc, ProfileDoc, dict[str, float]]


def _top_indices(values: np.ndarray, count: int) -> np.ndarray:
    finite = np.isfinite(values)
    if finite.sum() <= count:
        return np.flatnonzero(finite)
    return np.argpartition(-np.where(finite, values, -np.inf), count)[:count]
