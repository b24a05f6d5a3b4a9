"""Sparse matrices of analysed documents that take updates without a rebuild.

Rows live in blocks; an update marks the old row dead and appends a small block, and the
table compacts itself when blocks pile up. Scoring a query is a sparse product per block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
import scipy.sparse as sp

D = TypeVar("D")
MAX_BLOCKS = 12


@dataclass
class Block:
    ids: list[str]
    matrices: dict[str, Any]  # field name → CSR (rows × vocabulary)
    segments: Any  # CSR (rows × segments), confidences
    alive: Any  # numpy bool array
    # Column-major copies of the fields scored against every row: a query then touches only
    # the postings of its own terms instead of every stored value.
    columns: dict[str, Any] = field(default_factory=dict)

    def index_columns(self, fields: Sequence[str]) -> None:
        self.columns = {name: self.matrices[name].tocsc() for name in fields}


class DocTable(Generic[D]):
    def __init__(self, fields: Sequence[str], scanned: Sequence[str] = ()) -> None:
        self.fields = tuple(fields)
        self.scanned = tuple(scanned)
        self.blocks: list[Block] = []
        self.docs: dict[str, D] = {}
        self._where: dict[str, tuple[int, int]] = {}
        self._ids: list[str] | None = None

    def __len__(self) -> int:
        return len(self.docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.docs

    def add(
        self, docs: Sequence[D], ids: Sequence[str], matrices: dict[str, Any], segments: Any
    ) -> None:
        """Add or replace documents given their rows (one row per id, in order)."""
        if not ids:
            return
        self.remove(ids)
        block = Block(list(ids), {f: sp.csr_matrix(matrices[f]) for f in self.fields},
                      sp.csr_matrix(segments), np.ones(len(ids), dtype=bool))  # fmt: skip
        block.index_columns(self.scanned)
        index = len(self.blocks)
        self.blocks.append(block)
        self._ids = None
        for row, (doc_id, doc) in enumerate(zip(ids, docs, strict=True)):
            self.docs[doc_id] = doc
            self._where[doc_id] = (index, row)
        if len(self.blocks) > MAX_BLOCKS:
            self.compact()

    def remove(self, ids: Sequence[str]) -> None:
        for doc_id in ids:
            where = self._where.pop(doc_id, None)
            if where is not None:
                self.blocks[where[0]].alive[where[1]] = False
                self.docs.pop(doc_id, None)

    def compact(self) -> None:
        """Merge blocks into one without dead rows."""
        self._ids = None
        live = [(b, np.flatnonzero(b.alive)) for b in self.blocks if b.alive.any()]
        if not live:
            self.blocks, self._where = [], {}
            return
        ids = [b.ids[i] for b, rows in live for i in rows]
        matrices = {
            f: sp.vstack([b.matrices[f][rows] for b, rows in live]).tocsr() for f in self.fields
        }
        segments = sp.vstack([b.segments[rows] for b, rows in live]).tocsr()
        self.blocks = [Block(ids, matrices, segments, np.ones(len(ids), dtype=bool))]
        self.blocks[0].index_columns(self.scanned)
        self._where = {doc_id: (0, row) for row, doc_id in enumerate(ids)}

    def row_arrays(self, doc_id: str, field: str) -> tuple[Any, Any]:
        """(column indices, values) of one row, without building a sparse matrix."""
        block, row = self._where[doc_id]
        matrix = self.blocks[block].matrices[field]
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        return matrix.indices[start:end], matrix.data[start:end]

    def row(self, doc_id: str, field: str) -> Any:
        block, row = self._where[doc_id]
        return self.blocks[block].matrices[field][row]

    def segment_row(self, doc_id: str) -> Any:
        block, row = self._where[doc_id]
        return self.blocks[block].segments[row]

    def scores(self, field: str, query: Any) -> Any:
        """Dot products of a query row with every row of `field` (dead rows give -inf)."""
        if field in self.scanned:
            terms, weights = query.indices, query.data
            return self._each(lambda block: block.columns[field][:, terms] @ weights)
        return self._each(lambda block: block.matrices[field] @ query.T)

    def segment_scores(self, weights: Any) -> Any:
        """Segment matrix times a dense segment-weight vector, for every row."""
        return self._each(lambda block: block.segments @ weights)

    def scores_for(self, field: str, query: Any, doc_ids: Sequence[str]) -> Any:
        """Dot products of a query row with the rows of the given documents, in their order."""
        result = np.zeros(len(doc_ids), dtype=np.float64)
        by_block: dict[int, list[tuple[int, int]]] = {}
        for position, doc_id in enumerate(doc_ids):
            block, row = self._where[doc_id]
            by_block.setdefault(block, []).append((position, row))
        for block, pairs in by_block.items():
            positions, rows = zip(*pairs, strict=True)
            values = self.blocks[block].matrices[field][list(rows)] @ query.T
            result[list(positions)] = values.toarray().ravel()
        return result

    def ids(self) -> list[str]:
        """Ids of all rows, dead ones included, in the order scores come in."""
        if self._ids is None:
            self._ids = [doc_id for block in self.blocks for doc_id in block.ids]
        return self._ids

    def _each(self, product: Any) -> Any:
        parts = []
        for block in self.blocks:
            values = product(block)
            values = values.toarray() if sp.issparse(values) else np.asarray(values)
            values = values.astype(np.float64).ravel()
            values[~block.alive] = -np.inf
            parts.append(values)
        return np.concatenate(parts) if parts else np.zeros(0)
