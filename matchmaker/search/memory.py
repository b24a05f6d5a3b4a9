"""NeedSearch in this process: an inverted index over normalised tokens, facets in columns.

Each document takes a slot. Its filter values live in numpy columns indexed by slot, so a
filter or a facet count is one vectorised pass; its tokens go to postings (token → slots
and weights). Replacing or removing a document only marks its slot dead; when dead slots
outnumber live ones, slots are compacted and postings renumbered (no text is re-analysed).
Relevance is BM25 over character pairs, Latin tokens and words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from matchmaker import clock
from matchmaker.fields import NeedType
from matchmaker.matching.text import Analyzer
from matchmaker.search.base import (
    BudgetRange,
    Facets,
    NeedDocument,
    NeedHit,
    NeedQuery,
    NeedResults,
    Sort,
)
from matchmaker.search.columns import Codes, Column, Postings, ranked, top_slots
from matchmaker.search.tokens import (
    GRAM,
    WORD,
    ParsedQuery,
    default_analyzer,
    document_tokens,
    is_cjk,
    parse_query,
)

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
K1, B = 1.2, 0.75
# Words only refine the order: the dictionary joins 封装测试 into one word, so a need that
# says 封装 on its own must not outrank one with 封装测试 in its title.
WORD_FACTOR = 0.3
COMPACT_FROM = 1024
FACETS = ("type", "chain", "district", "budget", "deadline")


class MemoryNeedSearch:
    """The default NeedSearch; fast on 100,000 needs, and needs no server."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self._analyzer = analyzer
        self._reset()

    def _reset(self) -> None:
        self._docs: list[NeedDocument | None] = []
        self._slots: dict[str, int] = {}
        self._text = Postings()
        self._chains = Postings()
        self._chars: dict[str, set[str]] = {}  # CJK character → gram tokens holding it
        self._types, self._statuses, self._districts = Codes(), Codes(), Codes()
        self._columns = {
            "alive": Column(np.bool_, False),
            "type": Column(np.int32, -1),
            "status": Column(np.int32, -1),
            "district": Column(np.int32, -1),
            "budget_low": Column(np.float64, -math.inf),
            "budget_high": Column(np.float64, math.inf),
            "has_budget": Column(np.bool_, False),
            "deadline": Column(np.int32, 0),  # proleptic ordinal; 0 for none
            "created": Column(np.float64, 0.0),
            "length": Column(np.float64, 0.0),
        }
        self._dead = 0
        self._total_length = 0.0
        self._ranks: npt.NDArray[np.int64] | None = None

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = default_analyzer()
        return self._analyzer

    # Writes ------------------------------------------------------------------------------
    def index(self, documents: Iterable[NeedDocument]) -> None:
        self._reset()
        self.update(documents)

    def update(self, documents: Iterable[NeedDocument]) -> None:
        for document in documents:
            self._drop(document.id)
            self._add(document)
        self._compact_if_worth_it()

    def remove(self, need_ids: Iterable[str]) -> None:
        for need_id in need_ids:
            self._drop(need_id)
        self._compact_if_worth_it()

    def __len__(self) -> int:
        return len(self._slots)

    def _add(self, doc: NeedDocument) -> None:
        slot = len(self._docs)
        self._docs.append(doc)
        self._slots[doc.id] = slot
        length = 0.0
        for token, weight in document_tokens(self.analyzer, *doc.searchable).items():
            if self._text.add(token, slot, weight):
                self._register_chars(token)
            length += weight
        for chain in doc.chains:
            self._chains.add(chain, slot, 1.0)
        has_budget = doc.budget_min is not None or doc.budget_max is not None
        values = {
            "alive": True,
            "type": self._types.of(doc.type),
            "status": self._statuses.of(doc.status),
            "district": self._districts.of(doc.district),
            "budget_low": -math.inf if doc.budget_min is None else doc.budget_min,
            "budget_high": math.inf if doc.budget_max is None else doc.budget_max,
            "has_budget": has_budget,
            "deadline": 0 if doc.deadline is None else doc.deadline.toordinal(),
            "created": doc.created_at.timestamp(),
            "length": length,
        }
        for name, value in values.items():
            self._columns[name].set(slot, value)
        self._total_length += length
        self._ranks = None

    def _register_chars(self, token: str) -> None:
        gram = token.removeprefix(GRAM)
        if token.startswith(GRAM) and len(gram) <= 2 and is_cjk(gram):
            for char in gram:
                self._chars.setdefault(char, set()).add(token)

    def _drop(self, need_id: str) -> None:
        slot = self._slots.pop(need_id, None)
        if slot is None:
            return
        self._docs[slot] = None
        self._columns["alive"].set(slot, False)
        self._total_length -= float(self._columns["length"].data[slot])
        self._dead += 1

    def _compact_if_worth_it(self) -> None:
        if self._dead < max(COMPACT_FROM, len(self._slots)):
            return
        size = len(self._docs)
        keep = np.flatnonzero(self._column("alive", size))
        new_of_old = np.full(size, -1, dtype=np.int64)
        new_of_old[keep] = np.arange(len(keep))
        self._docs = [self._docs[int(slot)] for slot in keep]
        self._slots = {doc.id: slot for slot, doc in enumerate(self._docs) if doc is not None}
        for column in self._columns.values():
            column.keep(keep)
        for token in self._text.renumber(new_of_old):
            gram = token.removeprefix(GRAM)
            for char in gram:
                self._chars.get(char, set()).discard(token)
        self._chains.renumber(new_of_old)
        self._dead = 0
        self._ranks = None

    # Search ------------------------------------------------------------------------------
    def search(self, query: NeedQuery) -> NeedResults:
        size = len(self._docs)
        today = (query.today or clock.today()).toordinal()
        base = self._column("alive", size).copy()
        if query.statuses:
            base &= self._in(self._statuses, "status", query.statuses, size)
        parsed = parse_query(self.analyzer, query.text)
        scores: Floats | None = None
        if not parsed.empty:
            base &= self._text_mask(parsed, size)
            scores = self._scores(parsed, size)
        filters = self._filters(query, size, today)

        def without(name: str | None) -> Mask:
            mask = base.copy()
            for other, chosen in filters.items():
                if other != name and chosen is not None:
                    mask &= chosen
            return mask

        facets = self._facets(query, size, today, without)
        matched = np.flatnonzero(without(None))
        sort = query.sort or (Sort.NEWEST if scores is None else Sort.RELEVANCE)
        page = self._page(matched, scores, sort, query)
        hits = [
            NeedHit(self._doc(slot), 0.0 if scores is None else float(scores[slot]))
            for slot in page
        ]
        return NeedResults(hits, len(matched), query.page, query.per_page, facets)

    def _doc(self, slot: int) -> NeedDocument:
        doc = self._docs[slot]
        if doc is None:  # pragma: no cover - matched slots are alive
            raise LookupError(f"slot {slot} is empty")
        return doc

    def _column(self, name: str, size: int) -> npt.NDArray[Any]:
        return self._columns[name].data[:size]

    def _in(self, codes: Codes, column: str, values: Iterable[str], size: int) -> Mask:
        wanted = [codes.code[value] for value in values if value in codes.code]
        return np.isin(self._column(column, size), wanted)

    def _any_posting(self, postings: Postings, keys: Iterable[str], size: int) -> Mask:
        mask = np.zeros(size, dtype=np.bool_)
        for key in keys:
            found = postings.get(key)
            if found is not None:
                mask[found[0]] = True
        return mask

    def _text_mask(self, parsed: ParsedQuery, size: int) -> Mask:
        mask = np.ones(size, dtype=np.bool_)
        groups = [[token] for token in parsed.required]
        groups += [sorted(self._chars.get(char, ())) for char in parsed.chars]
        for keys in groups:
            mask &= self._any_posting(self._text, keys, size)
            if not mask.any():
                break
        return mask

    def _scores(self, parsed: ParsedQuery, size: int) -> Floats:
        scores = np.zeros(size, dtype=np.float64)
        live = max(len(self._slots), 1)
        average = max(self._total_length / live, 1.0)
        lengths = self._column("length", size)
        for token in parsed.scoring:
            found = self._text.get(token)
            if found is None:
                continue
            slots, weights = found
            df = min(len(slots), live)
            idf = math.log(1.0 + (live - df + 0.5) / (df + 0.5))
            if token.startswith(WORD):
                idf *= WORD_FACTOR
            norm = K1 * (1.0 - B + B * lengths[slots] / average)
            scores[slots] += idf * weights * (K1 + 1.0) / (weights + norm)
        return scores

    def _filters(self, query: NeedQuery, size: int, today: int) -> dict[str, Mask | None]:
        filters: dict[str, Mask | None] = dict.fromkeys(FACETS)
        if query.types:
            filters["type"] = self._in(self._types, "type", query.types, size)
        if query.chains:
            filters["chain"] = self._any_posting(self._chains, query.chains, size)
        if query.districts:
            filters["district"] = self._in(self._districts, "district", query.districts, size)
        if query.budget is not None:
            filters["budget"] = self._overlaps(query.budget, size)
        if query.deadline_by is not None or query.deadline_within is not None:
            deadline = self._column("deadline", size)
            mask = deadline > 0
            if query.deadline_by is not None:
                mask &= deadline <= query.deadline_by.toordinal()
            if query.deadline_within is not None:
                mask &= self._due_within(query.deadline_within, today, size)
            filters["deadline"] = mask
        return filters

    def _overlaps(self, budget: BudgetRange, size: int) -> Mask:
        low = -math.inf if budget.low is None else budget.low
        high = math.inf if budget.high is None else budget.high
        mask: Mask = (
            self._column("has_budget", size)
            & (self._column("budget_low", size) < high)
            & (self._column("budget_high", size) >= low)
        )
        return mask

    def _due_within(self, days: int, today: int, size: int) -> Mask:
        deadline = self._column("deadline", size)
        mask: Mask = (deadline >= today) & (deadline <= today + days)
        return mask

    def _facets(
        self, query: NeedQuery, size: int, today: int, without: Callable[[str | None], Mask]
    ) -> Facets:
        chains = without("chain")
        chain_counts = {key: int(chains[slots].sum()) for key, (slots, _w) in self._chains.items()}
        budgets, deadlines = without("budget"), without("deadline")
        return Facets(
            types={NeedType(k): v for k, v in self._counts(self._types, "type", without("type"))},
            chains=dict(ranked(chain_counts.items())),
            districts={
                k: v for k, v in self._counts(self._districts, "district", without("district")) if k
            },
            budgets={
                bucket: int((budgets & self._overlaps(bucket, size)).sum())
                for bucket in query.budget_facets
            },
            deadlines={
                days: int((deadlines & self._due_within(days, today, size)).sum())
                for days in query.deadline_facets
            },
        )

    def _counts(self, codes: Codes, column: str, mask: Mask) -> list[tuple[str, int]]:
        values = self._column(column, len(mask))[mask]
        counts = np.bincount(values, minlength=len(codes.values))
        return ranked((codes.values[i], int(n)) for i, n in enumerate(counts))

    def _page(
        self, matched: npt.NDArray[np.int64], scores: Floats | None, sort: Sort, query: NeedQuery
    ) -> list[int]:
        start = (max(query.page, 1) - 1) * query.per_page
        end = start + query.per_page
        if start >= len(matched):
            return []
        created = self._column("created", len(self._docs))[matched].astype(np.float64)
        if sort is Sort.RELEVANCE and scores is not None:
            primary = scores[matched]
        elif sort is Sort.DEADLINE:
            deadline = self._column("deadline", len(self._docs))[matched].astype(np.float64)
            primary = np.where(deadline > 0, -deadline, -math.inf)
        else:
            primary = created
        return top_slots(matched, primary, created, self._id_ranks(), start, end)

    def _id_ranks(self) -> npt.NDArray[np.int64]:
        """Each slot's place in id order, to break ties the same way on every backend."""
        if self._ranks is None:
            ids = [doc.id if doc is not None else "" for doc in self._docs]
            order = sorted(range(len(ids)), key=ids.__getitem__)
            self._ranks = np.empty(len(ids), dtype=np.int64)
            self._ranks[order] = np.arange(len(ids))
        return self._ranks
