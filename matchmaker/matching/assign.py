"""Place a need or a profile on the industry-chain graph, with confidence.

A need's segments are what it asks for; a profile's are what it offers. Both are found from
the text: the graph's names, aliases, keywords and products found among the words (weighted
by field and by how specific a term is), and a nearest-centroid classifier over the same
vocabulary for texts that describe a segment without naming it. Two direction rules keep
buyers apart from suppliers:
- in a profile, words that describe customers ("为晶圆厂提供…", "客户包括…", "应用于…") count
  little, since they name who the SME serves rather than what it makes;
- in a need, a segment that is the poster's own business counts little when the need also
  names a segment that supplies it: the fab asking for gases asks for gases, not for a fab.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matchmaker.matching.chain import ChainGraph
from matchmaker.matching.text import Analyzer, char_ngrams, normalise

SINGLE_MENTION = 0.5
SHORT_LATIN = 0.5
TERM_WEIGHTS = {"name": 3.0, "alias": 3.0, "product": 1.5, "keyword": 1.0}
CONTEXT_FACTOR = 0.15
SATURATION = 4.0
MAX_SEGMENTS = 5
RELATIVE_FLOOR = 0.3

_CLAUSE = re.compile(r"[，。；;,.!?！？\n、]|\s{2,}")
_SERVE_CUES = (
    "客户包括",
    "客户涵盖",
    "客户为",
    "客户有",
    "服务于",
    "应用于",
    "用于",
    "面向",
    "配套",
    "下游",
)
_FOR_PROVIDE = re.compile(r"为(.{1,30}?)(提供|供应|配套|研发|生产)")
_BUYER_CUES = ("采购", "自用", "外购", "需要采购", "对外采购")
_INVESTOR_CUES = ("基金", "投资", "创投", "资本", "孵化", "加速器", "园区")
_DISTRIBUTOR_CUES = ("代理", "经销", "分销", "贸易", "代理商", "一级代理")
# Agency as a professional service (patent, trademark, registration, customs, bookkeeping)
# is the trade itself, not reselling someone else's goods.
_SERVICE_AGENCY = re.compile(
    r"(专利|商标|知识产权|版权|注册|申报|报关|报检|税务|财税|法律|诉讼|认证)代理(机构|人|服务)?"
    r"|代理(记账|申报|报关|注册|诉讼)"
)


@dataclass(frozen=True)
class SegmentScore:
    segment_id: str
    confidence: float
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Cues:
    """Signals in a profile that it buys, resells or invests rather than makes."""

    buyer: bool
    distributor: bool
    investor: bool = False


def split_context(text: str) -> tuple[str, str]:
    """Split normalised profile text into (what it offers, who it serves)."""
    offered: list[str] = []
    served: list[str] = []
    for clause in _CLAUSE.split(text):
        if not clause:
            continue
        match = _FOR_PROVIDE.search(clause)
        if match:
            served.append(match.group(1))
            clause = clause[: match.start()] + clause[match.start(2) :]
        cut = min((clause.find(cue) for cue in _SERVE_CUES if cue in clause), default=-1)
        if cut >= 0:
            served.append(clause[cut:])
            clause = clause[:cut]
        offered.append(clause)
    return " ".join(offered), " ".join(served)


def _ambiguity(token: str) -> float:
    """Two- and three-letter abbreviations (API, DR, CT) mean different things per industry."""
    return SHORT_LATIN if len(token) <= 3 and token.isascii() and token.isalpha() else 1.0


def cues(text: str, title: str = "") -> Cues:
    normalised = normalise(text)
    heading = normalise(title)
    return Cues(
        buyer=any(cue in normalised for cue in _BUYER_CUES),
        distributor=any(cue in _SERVICE_AGENCY.sub("", normalised) for cue in _DISTRIBUTOR_CUES),
        # A profile titled as a fund or incubator offers capital or space, not a venture.
        investor=any(cue in heading for cue in _INVESTOR_CUES),
    )


@dataclass
class Analysed:
    """One field's analysis: words of what it offers or asks, words of its context, n-grams."""

    main: list[str]
    context: list[str]
    ngrams: list[str]

    def tokens(self) -> list[str]:
        return [f"w:{w}" for w in (*self.main, *self.context)] + [f"c:{g}" for g in self.ngrams]


class SegmentAssigner:
    """Finds the segments a text is about; built once per graph and shared."""

    def __init__(self, chain_graph: ChainGraph, analyzer: Analyzer) -> None:
        self.chain_graph = chain_graph
        self.analyzer = analyzer
        owners: dict[str, dict[str, float]] = defaultdict(dict)
        for segment in chain_graph.segments.values():
            kinds = (
                ("name", (segment.name,)),
                ("alias", segment.aliases),
                ("product", segment.products),
                ("keyword", segment.keywords),
            )
            for kind, terms in kinds:
                for term in terms:
                    key = normalise(term)
                    if key:
                        weight = TERM_WEIGHTS[kind]
                        owners[key][segment.id] = max(owners[key].get(segment.id, 0.0), weight)
        # A term shared by many segments says little about any one of them.
        self.terms = {
            term: {seg: w / math.sqrt(len(segs)) for seg, w in segs.items()}
            for term, segs in owners.items()
        }
        self.segment_ids = list(chain_graph.segments)
        self.column = {segment_id: i for i, segment_id in enumerate(self.segment_ids)}
        documents = [
            self.analyse(
                " ".join((s.name, *s.aliases, *s.keywords, *s.products)), offered=False
            ).tokens()
            for s in chain_graph.segments.values()
        ]
        self._vectoriser = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        self._centroids = self._vectoriser.fit_transform(documents).T.tocsc()

    def analyse(self, text: str, *, offered: bool) -> Analysed:
        normalised = normalise(text)
        if offered:
            main, context = split_context(normalised)
            return Analysed(
                self.analyzer.words(main), self.analyzer.words(context), char_ngrams(normalised)
            )
        return Analysed(self.analyzer.words(normalised), [], char_ngrams(normalised))

    def classify(self, token_lists: Sequence[list[str]]) -> np.ndarray:
        """Cosine of each token list with each segment's centroid: (documents × segments)."""
        if not token_lists:
            return np.zeros((0, len(self.segment_ids)))
        rows = self._vectoriser.transform(token_lists)
        return np.asarray((rows @ self._centroids).todense())

    def segments(
        self,
        fields: Sequence[tuple[Analysed, float]],
        similarity: np.ndarray,
        own_segments: Iterable[str] = (),
    ) -> list[SegmentScore]:
        """Segments of an analysed document from its terms and its classifier row."""
        scores: dict[str, float] = defaultdict(float)
        hits: dict[str, set[str]] = defaultdict(set)
        headline: set[str] = set()  # segments named in a title or capability field
        for analysed, weight in fields:
            for words, factor in ((analysed.main, 1.0), (analysed.context, CONTEXT_FACTOR)):
                for token in set(words):
                    for segment_id, term_weight in self.terms.get(token, {}).items():
                        scores[segment_id] += term_weight * weight * factor * _ambiguity(token)
                        hits[segment_id].add(token)
                        if weight > 1.0 and factor == 1.0:
                            headline.add(segment_id)
        # One passing mention in running text (a fab that keeps resist in cold storage, an
        # "API" that is a software interface) is weak evidence; corroboration is not.
        for segment_id in scores:
            if len(hits[segment_id]) == 1 and segment_id not in headline:
                scores[segment_id] *= SINGLE_MENTION
        for index in np.argsort(similarity)[::-1][:3]:
            if similarity[index] > 0.08:
                scores[self.segment_ids[index]] += 4.0 * float(similarity[index])
        own = set(own_segments)
        if own:
            self._discount_own(scores, own)
        return self._top(scores, hits)

    def assign(
        self,
        fields: Sequence[tuple[str, float]],
        *,
        offered: bool,
        own_segments: Iterable[str] = (),
    ) -> list[SegmentScore]:
        """Segments of raw text fields, for one document at a time."""
        analysed = [
            (self.analyse(text, offered=offered), weight) for text, weight in fields if text
        ]
        tokens = [token for a, _ in analysed for token in a.tokens()]
        return self.segments(analysed, self.classify([tokens])[0], own_segments)

    def _discount_own(self, scores: dict[str, float], own: set[str]) -> None:
        graph = self.chain_graph.graph
        for segment_id in list(scores):
            if segment_id not in own:
                continue
            suppliers = [s for s in scores if s != segment_id and graph.has_edge(s, segment_id)]
            if suppliers:
                scores[segment_id] *= 0.3

    def _top(self, scores: dict[str, float], hits: dict[str, set[str]]) -> list[SegmentScore]:
        if not scores:
            return []
        best = max(scores.values())
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        result = []
        for segment_id, score in ranked[:MAX_SEGMENTS]:
            if score < best * RELATIVE_FLOOR:
                break
            confidence = score / (score + SATURATION)
            result.append(
                SegmentScore(segment_id, round(confidence, 4), tuple(sorted(hits[segment_id])))
            )
        return result


def _identity(tokens: list[str]) -> list[str]:
    return tokens
