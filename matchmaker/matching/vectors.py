"""TF-IDF vectors built in chunks, so a million documents fit in memory.

scikit-learn's vectoriser holds every token list at once; here documents arrive chunk by
chunk as token counts, the vocabulary grows as they come, and the sparse count matrices are
the only thing kept. IDF and weighting follow TfidfTransformer (smooth IDF, sublinear TF,
L2-normalised rows), so a profile's vector means the same whether built or added later.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize


class CountBuilder:
    """Accumulates token counts row by row with a growing vocabulary."""

    def __init__(self, vocabulary: dict[str, int], *, grow: bool) -> None:
        self.vocabulary = vocabulary
        self.grow = grow
        # Typed arrays: 4 bytes a value, not a Python object (or a numpy array) per document.
        self._indptr = array("q", [0])
        self._indices = array("i")
        self._data = array("f")

    def add(self, tokens: Iterable[str]) -> None:
        counts = Counter(tokens)
        vocabulary = self.vocabulary
        added = 0
        for token, count in counts.items():
            column = vocabulary.get(token)
            if column is None:
                if not self.grow:
                    continue
                column = vocabulary[token] = len(vocabulary)
            self._indices.append(column)
            self._data.append(count)
            added += 1
        self._indptr.append(self._indptr[-1] + added)

    def matrix(self, width: int | None = None) -> Any:
        indices = (
            np.frombuffer(self._indices, dtype=np.int32) if self._indices else np.zeros(0, np.int32)
        )
        data = (
            np.frombuffer(self._data, dtype=np.float32) if self._data else np.zeros(0, np.float32)
        )
        indptr = np.frombuffer(self._indptr, dtype=np.int64)
        shape = (len(self._indptr) - 1, width or len(self.vocabulary))
        return sp.csr_matrix((data.copy(), indices.copy(), indptr.copy()), shape=shape)


class Vectoriser:
    """Vocabulary and IDF, fitted once on the built corpus; later documents reuse them."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self.terms = np.empty(len(vocabulary), dtype=object)
        for term, column in vocabulary.items():
            self.terms[column] = term

    @classmethod
    def fit(cls, counts: Any, vocabulary: dict[str, int], min_df: int) -> tuple[Vectoriser, Any]:
        """Fit on a count matrix over a grown vocabulary; returns the vectoriser and the column
        selector that maps old columns to kept ones (rare terms dropped)."""
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = df >= min_df
        remap = np.cumsum(keep) - 1
        kept = {term: int(remap[column]) for term, column in vocabulary.items() if keep[column]}
        documents = counts.shape[0]
        idf = np.log((1 + documents) / (1 + df[keep])) + 1
        return cls(kept, idf), keep

    def weigh(self, counts: Any) -> Any:
        """Counts (over this vocabulary) to sublinear, IDF-weighted, L2-normalised rows."""
        weighted = counts.astype(np.float32, copy=True)
        weighted.data = 1 + np.log(weighted.data)
        weighted = (weighted @ sp.diags(self.idf)).tocsr()
        if weighted.shape[0] == 0:  # no profiles yet: nothing to normalise
            return weighted
        return normalize(weighted, copy=False)

    def transform(self, token_lists: Sequence[Iterable[str]]) -> Any:
        builder = CountBuilder(self.vocabulary, grow=False)
        for tokens in token_lists:
            builder.add(tokens)
        return self.weigh(builder.matrix(len(self.vocabulary)))
