"""The plain baseline the engine is measured against: jieba words and Okapi BM25.

No domain dictionary, no normalisation beyond lower case, no graph: what a team would get
from the usual open-source recipe.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence


class BM25:
    def __init__(self, documents: dict[str, str], *, k1: float = 1.5, b: float = 0.75) -> None:
        import jieba

        self._tokenizer = jieba.Tokenizer()
        self.k1, self.b = k1, b
        self.ids = list(documents)
        self.docs = [Counter(self._words(text)) for text in documents.values()]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.average = sum(self.lengths) / max(len(self.lengths), 1)
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        total = len(self.docs)
        self.idf = {
            term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in frequency.items()
        }

    def _words(self, text: str) -> list[str]:
        return [w for w in self._tokenizer.lcut(text.lower()) if w.strip() and len(w.strip()) > 1]

    def rank(self, query: str, top: int = 50) -> list[str]:
        terms = set(self._words(query))
        scores: list[tuple[float, str]] = []
        for doc_id, doc, length in zip(self.ids, self.docs, self.lengths, strict=True):
            score = 0.0
            for term in terms & doc.keys():
                tf = doc[term]
                norm = tf + self.k1 * (1 - self.b + self.b * length / self.average)
                score += self.idf[term] * tf * (self.k1 + 1) / norm
            if score > 0:
                scores.append((score, doc_id))
        scores.sort(key=lambda item: (-item[0], item[1]))
        return [doc_id for _, doc_id in scores[:top]]


def rank_all(
    documents: dict[str, str], queries: dict[str, str], top: int = 50
) -> dict[str, Sequence[str]]:
    index = BM25(documents)
    return {query_id: index.rank(text, top) for query_id, text in queries.items()}
