"""The NeedSearch contract: full-text search over needs with filters and facet counts.

Every backend (the in-memory default in `memory.py`, a search server later) implements
`NeedSearch` and passes the one contract suite in tests/contract/test_need_search.py. The
docstrings here are the contract; callers depend on this Protocol, never on a backend.

What of a need is searchable is decided once, in `public_document`: a confidential need's
description and requirements never reach any backend, so no backend can leak them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from matchmaker.fields import NeedStatus, NeedType


class Sort(StrEnum):
    RELEVANCE = "relevance"  # best text match first
    NEWEST = "newest"  # most recently posted first
    DEADLINE = "deadline"  # soonest deadline first, needs without one last


@dataclass(frozen=True)
class BudgetRange:
    """Budget from `low` up to but not including `high`, in 10,000 yuan (万元); None leaves
    that end open. Half-open, so adjacent buckets (-50, 50-200) share no value."""

    low: float | None = None
    high: float | None = None

    @property
    def key(self) -> str:
        """The form a range takes in a URL: "50-200", "-50", "1000-"."""
        return f"{_number(self.low)}-{_number(self.high)}"

    @classmethod
    def parse(cls, key: str) -> BudgetRange:
        """The inverse of `key`; raises ValueError on anything else."""
        low, separator, high = key.partition("-")
        if not separator or not (low or high):
            raise ValueError(f"not a budget range: {key!r}")
        return cls(float(low) if low else None, float(high) if high else None)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


# The buckets the portal shows counts for, and the deadline windows in days.
BUDGET_RANGES = (
    BudgetRange(None, 50),
    BudgetRange(50, 200),
    BudgetRange(200, 1000),
    BudgetRange(1000, None),
)
DEADLINE_WINDOWS = (7, 30, 90)


@dataclass(frozen=True, slots=True)
class NeedDocument:
    """What a backend holds of one need: only what any visitor may read, plus its facets.

    `summary` is the description, or the public summary of a confidential need, whose
    `requirements` are then empty. Build documents with `public_document`.
    """

    id: str
    enterprise_id: str
    enterprise_name: str
    district: str  # the posting enterprise's district; "" when unknown
    type: NeedType
    status: NeedStatus
    title: str
    summary: str
    requirements: tuple[str, ...]
    segments: tuple[str, ...]  # chain segment ids, most relevant first
    chains: tuple[str, ...]  # the chains of those segments
    budget_min: float | None
    budget_max: float | None
    deadline: date | None
    created_at: datetime
    confidential: bool = False

    @property
    def searchable(self) -> tuple[str, str]:
        """(title, body): the only text a backend may index."""
        return self.title, " ".join((self.summary, *self.requirements))


def public_document(
    need: Mapping[str, Any],
    *,
    enterprise_name: str,
    district: str | None,
    segments: Sequence[str],
    chains: Sequence[str],
) -> NeedDocument:
    """The searchable document of a need record (a row of the needs table as a mapping)."""
    confidential = bool(need.get("confidential"))
    summary = (need.get("public_summary") or "") if confidential else need["description"]
    requirements = () if confidential else tuple(need.get("requirements") or ())
    return NeedDocument(
        id=need["id"],
        enterprise_id=need["enterprise_id"],
        enterprise_name=enterprise_name,
        district=district or "",
        type=NeedType(need["type"]),
        status=NeedStatus(need["status"]),
        title=need["title"],
        summary=summary,
        requirements=requirements,
        segments=tuple(segments),
        chains=tuple(chains),
        budget_min=need.get("budget_min"),
        budget_max=need.get("budget_max"),
        deadline=need.get("deadline"),
        created_at=need["created_at"],
        confidential=confidential,
    )


@dataclass(frozen=True)
class NeedQuery:
    """One search. Filters combine with AND; the values within one filter with OR.

    - `text`: every whitespace-separated word must occur in the title or body. Text is
      compared after `matching.text.normalise` (Traditional → Simplified, full-width →
      half-width, lower case), so 封裝 finds 封装 and "sic" finds SiC. Chinese matches as
      a substring would (each character pair of the word must occur); Latin letters and
      digits match whole tokens ("dr" does not find "drmos"). Empty or punctuation-only
      text matches every need.
    - `types`, `chains`, `districts`: a need matches when it has any of the given values
      (a need belongs to every chain of its segments).
    - `budget`: a need matches when its [budget_min, budget_max] overlaps the range
      (budget_max >= low and budget_min < high); a missing end of the need's range is
      open; a need with no budget at all does not match.
    - `deadline_by`: deadline on or before this day. `deadline_within`: deadline from
      `today` to `today` + that many days. Needs without a deadline match neither.
    - `statuses`: only open needs unless asked; an empty set means every status.
    - `sort`: None means relevance when `text` has words, newest otherwise. Ties go to the
      newer need, then to the smaller id, so pages never overlap.
    - `page` (from 1) and `per_page` choose the slice of hits returned.
    - `budget_facets` and `deadline_facets`: the buckets to count (see `Facets`).
    - `today`: the day `deadline_within` and deadline facets count from (None: today in
      Shanghai).
    """

    text: str = ""
    types: frozenset[NeedType] = frozenset()
    chains: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    budget: BudgetRange | None = None
    deadline_by: date | None = None
    deadline_within: int | None = None
    statuses: frozenset[NeedStatus] = frozenset({NeedStatus.OPEN})
    sort: Sort | None = None
    page: int = 1
    per_page: int = 20
    budget_facets: tuple[BudgetRange, ...] = BUDGET_RANGES
    deadline_facets: tuple[int, ...] = DEADLINE_WINDOWS
    today: date | None = None


@dataclass(frozen=True)
class Facets:
    """Counts per filter value, standard faceting: each facet counts the needs matched by
    the text, the statuses and every OTHER filter, so choosing a type does not shrink the
    type counts (it shows how many each other type would give) but does shrink the others.

    `types`, `chains`, `districts` hold the values with at least one need, most first
    (ties by value). `budgets` and `deadlines` hold every requested bucket, zeros included;
    a need counts in each budget bucket its range overlaps, and in each deadline window
    (days from today) its deadline falls in.
    """

    types: dict[NeedType, int] = field(default_factory=dict)
    chains: dict[str, int] = field(default_factory=dict)
    districts: dict[str, int] = field(default_factory=dict)
    budgets: dict[BudgetRange, int] = field(default_factory=dict)
    deadlines: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NeedHit:
    document: NeedDocument
    score: float  # relevance, higher is better; 0.0 when the query has no text


@dataclass(frozen=True)
class NeedResults:
    hits: list[NeedHit]  # the requested page, in order
    total: int  # needs matched by text and every filter
    page: int
    per_page: int
    facets: Facets


class NeedSearch(Protocol):
    """A search index of need documents. Implementations need not be thread-safe: the
    search service serialises calls. Writes are visible to the next `search`."""

    def index(self, documents: Iterable[NeedDocument]) -> None:
        """Replace everything held with these documents (a full rebuild)."""
        ...

    def update(self, documents: Iterable[NeedDocument]) -> None:
        """Add these documents, replacing any held with the same id."""
        ...

    def remove(self, need_ids: Iterable[str]) -> None:
        """Forget these needs; ids not held are ignored."""
        ...

    def __len__(self) -> int:
        """How many documents are held, of every status."""
        ...

    def search(self, query: NeedQuery) -> NeedResults:
        """The page of hits, the total and the facet counts of `query` (see NeedQuery)."""
        ...
