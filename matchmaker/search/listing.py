"""The /needs page's side of a search: read the URL into a query, describe the results.

Everything here is plain data for the templates (translated labels, counts, URLs), so the
page handler only parses, searches and renders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol, TypeVar
from urllib.parse import urlencode

from matchmaker import i18n
from matchmaker.fields import NeedType
from matchmaker.i18n import N_
from matchmaker.labels import label_of
from matchmaker.matching.chain import ChainGraph
from matchmaker.search.base import (
    BUDGET_RANGES,
    DEADLINE_WINDOWS,
    BudgetRange,
    NeedDocument,
    NeedQuery,
    NeedResults,
    Sort,
)

PATH = "/needs"
PER_PAGE = 20
MAX_VALUES = 20
MAX_VALUE_LENGTH = 100
MAX_PAGE = 10_000
E = TypeVar("E", bound=StrEnum)

BUDGET_LABELS = {
    BudgetRange(None, 50): N_("Under 500,000 yuan"),
    BudgetRange(50, 200): N_("500,000 – 2 million yuan"),
    BudgetRange(200, 1000): N_("2 – 10 million yuan"),
    BudgetRange(1000, None): N_("10 million yuan or more"),
}
DEADLINE_LABELS = {
    7: N_("Within 7 days"),
    30: N_("Within 30 days"),
    90: N_("Within 90 days"),
}
SORT_LABELS = {
    Sort.RELEVANCE: N_("Best match"),
    Sort.NEWEST: N_("Newest"),
    Sort.DEADLINE: N_("Deadline soonest"),
}


class QueryParams(Protocol):
    """What the page reads from a URL's query (starlette's QueryParams fits)."""

    def get(self, key: str, /) -> str | None: ...
    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class SearchParams:
    """The search as the URL states it: /needs?q=…&type=…&chain=…&district=…&budget=50-200
    &due=30&by=2027-01-31&sort=newest&page=2. Unknown or malformed values are ignored."""

    q: str = ""
    types: tuple[NeedType, ...] = ()
    chains: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    budget: BudgetRange | None = None
    due: int | None = None
    by: dt.date | None = None
    sort: Sort | None = None
    page: int = 1

    @classmethod
    def parse(cls, params: QueryParams) -> SearchParams:
        budgets = {bucket.key: bucket for bucket in BUDGET_RANGES}
        return cls(
            q=str(params.get("q") or "").strip()[:200],
            types=tuple(t for t in (_enum(NeedType, v) for v in _values(params, "type")) if t),
            chains=_values(params, "chain"),
            districts=_values(params, "district"),
            budget=budgets.get(str(params.get("budget") or "")),
            due=_choice(params.get("due"), DEADLINE_WINDOWS),
            by=_day(params.get("by")),
            sort=_enum(Sort, params.get("sort")),
            page=_page(params.get("page")),
        )

    def query(self) -> NeedQuery:
        return NeedQuery(
            text=self.q,
            types=frozenset(self.types),
            chains=frozenset(self.chains),
            districts=frozenset(self.districts),
            budget=self.budget,
            deadline_by=self.by,
            deadline_within=self.due,
            sort=self.sort,
            page=self.page,
            per_page=PER_PAGE,
        )

    def pairs(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)] if self.q else []
        pairs += [("type", t.value) for t in self.types]
        pairs += [("chain", c) for c in self.chains] + [("district", d) for d in self.districts]
        optional = {
            "budget": self.budget.key if self.budget else None,
            "due": self.due,
            "by": self.by.isoformat() if self.by else None,
            "sort": self.sort.value if self.sort else None,
            "page": self.page if self.page > 1 else None,
        }
        return pairs + [(name, str(value)) for name, value in optional.items() if value]

    def url(self) -> str:
        encoded = urlencode(self.pairs())
        return f"{PATH}?{encoded}" if encoded else PATH

    def page_url(self, page: int) -> str:
        return replace(self, page=page).url()

    def cleared(self) -> str:
        """The same words with no filters."""
        return SearchParams(q=self.q, sort=self.sort).url()

    @property
    def filtered(self) -> bool:
        return self != SearchParams(q=self.q, sort=self.sort, page=self.page)


def _values(params: QueryParams, name: str) -> tuple[str, ...]:
    values = (v.strip()[:MAX_VALUE_LENGTH] for v in params.getlist(name)[:MAX_VALUES])
    return tuple(dict.fromkeys(v for v in values if v))


def _enum(enum: type[E], raw: str | None) -> E | None:
    return enum(raw) if raw in {member.value for member in enum} else None


def _choice(raw: object, allowed: Sequence[int]) -> int | None:
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if value in allowed else None


def _day(raw: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _page(raw: object) -> int:
    try:
        return min(max(int(str(raw)), 1), MAX_PAGE) if raw else 1
    except ValueError:
        return 1


# What the page shows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # translated, or a name from the data
    count: int | None  # None for "any"
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str  # the URL parameter
    title: str
    kind: str  # "checkbox" (any of several) or "radio" (one)
    options: list[Option]


@dataclass(frozen=True)
class Card:
    need: NeedDocument
    segments: list[str]  # segment names in the page's language


def chain_name(graph: ChainGraph, chain_id: str, locale: str) -> str:
    chain = graph.chains.get(chain_id)
    if chain is None:
        return chain_id
    return (chain.name_en or chain.name) if locale == "en" else chain.name


def segment_name(graph: ChainGraph, segment_id: str, locale: str) -> str:
    segment = graph.segments.get(segment_id)
    if segment is None:
        return segment_id
    return (segment.name_en or segment.name) if locale == "en" else segment.name


def context(
    results: NeedResults, params: SearchParams, *, graph: ChainGraph, locale: str
) -> dict[str, object]:
    """The template context of the results region."""
    cards = [
        Card(hit.document, [segment_name(graph, s, locale) for s in hit.document.segments])
        for hit in results.hits
    ]
    sorts = [(sort.value, i18n.gettext(locale, label)) for sort, label in SORT_LABELS.items()]
    current_sort = params.sort or (Sort.RELEVANCE if params.q else Sort.NEWEST)
    return {
        "params": params,
        "results": results,
        "cards": cards,
        "sidebar": sidebar(results, params, graph=graph, locale=locale),
        "sorts": sorts,
        "current_sort": current_sort.value,
    }


def sidebar(
    results: NeedResults, params: SearchParams, *, graph: ChainGraph, locale: str
) -> list[FacetGroup]:
    """Each filter with a count per value; chosen values stay listed even at zero."""
    facets = results.facets

    def _(message: str) -> str:
        return i18n.gettext(locale, message)

    types = [
        Option(t.value, _(label_of(t)), facets.types.get(t, 0), t in params.types) for t in NeedType
    ]
    chains = _counted(facets.chains, params.chains, lambda c: chain_name(graph, c, locale))
    districts = _counted(facets.districts, params.districts, lambda d: d)
    budgets = [Option("", _("Any budget"), None, params.budget is None)] + [
        Option(bucket.key, _(BUDGET_LABELS.get(bucket, bucket.key)), count,
               bucket == params.budget)
        for bucket, count in facets.budgets.items()
    ]  # fmt: skip
    deadlines = [Option("", _("Any deadline"), None, params.due is None)] + [
        Option(str(days), _(DEADLINE_LABELS.get(days, str(days))), count, days == params.due)
        for days, count in facets.deadlines.items()
    ]
    return [
        FacetGroup("type", _("Type"), "checkbox", types),
        FacetGroup("chain", _("Industry chain"), "checkbox", chains),
        FacetGroup("district", _("District"), "checkbox", districts),
        FacetGroup("budget", _("Budget"), "radio", budgets),
        FacetGroup("due", _("Deadline"), "radio", deadlines),
    ]


def _counted(
    counts: Mapping[str, int], chosen: Sequence[str], name: Callable[[str], str]
) -> list[Option]:
    values = list(counts) + [value for value in chosen if value not in counts]
    return [Option(v, name(v), counts.get(v, 0), v in chosen) for v in values]
