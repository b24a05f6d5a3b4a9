"""NeedSearch on Elasticsearch or OpenSearch: the same contract as the in-memory index.

Filters and facets follow `search.base` exactly: the text and the statuses form the query;
every other filter is a post filter, and each facet is an aggregation filtered by every
filter but its own, so picking a type leaves the type counts whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from matchmaker import clock
from matchmaker.fields import NeedStatus, NeedType
from matchmaker.matching.text import char_ngrams, normalise
from matchmaker.search.base import (
    BudgetRange,
    Facets,
    NeedDocument,
    NeedHit,
    NeedQuery,
    NeedResults,
    Sort,
)
from matchmaker.search.columns import ranked
from matchmaker.search.tokens import MAX_QUERY
from matchmaker.searchengine.client import SearchClient
from matchmaker.searchengine.indices import AliasedIndex
from matchmaker.searchengine.mappings import NEED_PROPERTIES, OPEN_END

Clause = dict[str, Any]
TERMS_SIZE = 200  # more districts or chains than any city has
TITLE_BOOST = 2.0


def need_source(doc: NeedDocument) -> dict[str, Any]:
    title, body = (normalise(text) for text in doc.searchable)
    has_budget = doc.budget_min is not None or doc.budget_max is not None
    return {
        "id": doc.id,
        "enterprise_id": doc.enterprise_id,
        "district": doc.district,
        "type": doc.type.value,
        "status": doc.status.value,
        "title": title,
        "body": body,
        "text": f"{title}\n{body}",
        "segments": list(doc.segments),
        "chains": list(doc.chains),
        "budget_low": (-OPEN_END if doc.budget_min is None else doc.budget_min)
        if has_budget
        else None,
        "budget_high": (OPEN_END if doc.budget_max is None else doc.budget_max)
        if has_budget
        else None,
        "deadline": doc.deadline.isoformat() if doc.deadline else None,
        "created_at": doc.created_at.isoformat(),
        "confidential": doc.confidential,
        "record": {
            "enterprise_name": doc.enterprise_name,
            "title": doc.title,
            "summary": doc.summary,
            "requirements": list(doc.requirements),
            "budget_min": doc.budget_min,
            "budget_max": doc.budget_max,
        },
    }


def need_document(source: dict[str, Any]) -> NeedDocument:
    record = source["record"]
    return NeedDocument(
        id=source["id"],
        enterprise_id=source["enterprise_id"],
        enterprise_name=record["enterprise_name"],
        district=source["district"],
        type=NeedType(source["type"]),
        status=NeedStatus(source["status"]),
        title=record["title"],
        summary=record["summary"],
        requirements=tuple(record["requirements"]),
        segments=tuple(source["segments"]),
        chains=tuple(source["chains"]),
        budget_min=record["budget_min"],
        budget_max=record["budget_max"],
        deadline=dt.date.fromisoformat(source["deadline"]) if source["deadline"] else None,
        created_at=dt.datetime.fromisoformat(source["created_at"]),
        confidential=source["confidential"],
    )


class EngineNeedSearch:
    """Needs in the index behind `alias`; writes are refreshed so the next search sees them."""

    def __init__(self, client: SearchClient, alias: str, replicas: int = 0) -> None:
        self.index_ = AliasedIndex(client, alias, NEED_PROPERTIES, replicas)
        self.client = client
        self.alias = alias

    # Writes ------------------------------------------------------------------------------
    def index(self, documents: Iterable[NeedDocument]) -> None:
        self.index_.rebuild(need_source(doc) for doc in documents)

    def update(self, documents: Iterable[NeedDocument]) -> None:
        self.index_.ensure()
        self.index_.write([need_source(doc) for doc in documents], ())

    def remove(self, need_ids: Iterable[str]) -> None:
        self.index_.ensure()
        self.index_.write((), list(need_ids))

    def __len__(self) -> int:
        self.index_.ensure()
        return self.client.count(self.alias)

    # Search ------------------------------------------------------------------------------
    def search(self, query: NeedQuery) -> NeedResults:
        self.index_.ensure()
        today = query.today or clock.today()
        text = normalise(query.text[:MAX_QUERY])
        has_text = bool(char_ngrams(text))
        base: list[Clause] = []
        if query.statuses:
            base.append({"terms": {"status": sorted(s.value for s in query.statuses)}})
        filters = _filters(query, today)
        body: dict[str, Any] = {
            "query": _text_query(text, base) if has_text else {"bool": {"filter": base}},
            "post_filter": {"bool": {"filter": list(filters.values())}},
            "aggs": _aggregations(query, filters, today),
            "sort": _sort(query.sort or (Sort.RELEVANCE if has_text else Sort.NEWEST)),
            "from": (max(query.page, 1) - 1) * query.per_page,
            "size": query.per_page,
            "track_total_hits": True,
            "track_scores": True,
        }
        response = self.client.search(self.alias, body)
        hits = [
            NeedHit(need_document(hit["_source"]), float(hit["_score"] or 0.0) if has_text else 0.0)
            for hit in response["hits"]["hits"]
        ]
        total = int(response["hits"]["total"]["value"])
        facets = _facets(query, response["aggregations"])
        return NeedResults(hits, total, query.page, query.per_page, facets)


def _text_query(text: str, base: list[Clause]) -> Clause:
    """Every character pair and Latin token of the text, in title or body; title counts
    double, and the single-character `.std` fields add a little for near misses."""
    return {
        "bool": {
            "filter": base,
            "must": [{"match": {"text": {"query": text, "operator": "and"}}}],
            "should": [
                {"match": {"title": {"query": text, "boost": TITLE_BOOST}}},
                {"match": {"body": {"query": text}}},
                {"match": {"title.std": {"query": text, "boost": 0.2}}},
                {"match": {"body.std": {"query": text, "boost": 0.1}}},
            ],
        }
    }


def _overlaps(budget: BudgetRange) -> Clause:
    low = -OPEN_END if budget.low is None else budget.low
    high = OPEN_END if budget.high is None else budget.high
    return {
        "bool": {
            "filter": [
                {"range": {"budget_low": {"lt": high}}},
                {"range": {"budget_high": {"gte": low}}},
            ]
        }
    }


def _due_within(days: int, today: dt.date) -> Clause:
    end = today + dt.timedelta(days=days)
    return {"range": {"deadline": {"gte": today.isoformat(), "lte": end.isoformat()}}}


def _filters(query: NeedQuery, today: dt.date) -> dict[str, Clause]:
    filters: dict[str, Clause] = {}
    if query.types:
        filters["type"] = {"terms": {"type": sorted(t.value for t in query.types)}}
    if query.chains:
        filters["chain"] = {"terms": {"chains": sorted(query.chains)}}
    if query.districts:
        filters["district"] = {"terms": {"district": sorted(query.districts)}}
    if query.budget is not None:
        filters["budget"] = _overlaps(query.budget)
    if query.deadline_by is not None or query.deadline_within is not None:
        clauses: list[Clause] = [{"exists": {"field": "deadline"}}]
        if query.deadline_by is not None:
            clauses.append({"range": {"deadline": {"lte": query.deadline_by.isoformat()}}})
        if query.deadline_within is not None:
            clauses.append(_due_within(query.deadline_within, today))
        filters["deadline"] = {"bool": {"filter": clauses}}
    return filters


def _aggregations(query: NeedQuery, filters: dict[str, Clause], today: dt.date) -> Clause:
    def without(name: str, inner: Clause) -> Clause:
        others = [clause for key, clause in filters.items() if key != name]
        return {"filter": {"bool": {"filter": others}}, "aggs": {"values": inner}}

    def terms(field: str) -> Clause:
        return {"terms": {"field": field, "size": TERMS_SIZE}}

    budgets = {bucket.key: _overlaps(bucket) for bucket in query.budget_facets}
    deadlines = {str(days): _due_within(days, today) for days in query.deadline_facets}
    aggregations = {
        "type": without("type", terms("type")),
        "chain": without("chain", terms("chains")),
        "district": without("district", terms("district")),
    }
    if budgets:
        aggregations["budget"] = without("budget", {"filters": {"filters": budgets}})
    if deadlines:
        aggregations["deadline"] = without("deadline", {"filters": {"filters": deadlines}})
    return aggregations


def _sort(sort: Sort) -> list[Clause]:
    ties: list[Clause] = [{"created_at": "desc"}, {"id": "asc"}]
    if sort is Sort.RELEVANCE:
        return [{"_score": "desc"}, *ties]
    if sort is Sort.DEADLINE:
        return [{"deadline": {"order": "asc", "missing": "_last"}}, *ties]
    return ties


def _facets(query: NeedQuery, aggregations: dict[str, Any]) -> Facets:
    def counts(name: str) -> list[tuple[str, int]]:
        buckets = aggregations[name]["values"]["buckets"]
        return ranked((str(b["key"]), int(b["doc_count"])) for b in buckets)

    def bucket_counts(name: str) -> dict[str, int]:
        if name not in aggregations:
            return {}
        buckets = aggregations[name]["values"]["buckets"]
        return {key: int(value["doc_count"]) for key, value in buckets.items()}

    budgets, deadlines = bucket_counts("budget"), bucket_counts("deadline")
    return Facets(
        types={NeedType(key): count for key, count in counts("type")},
        chains=dict(counts("chain")),
        districts={key: count for key, count in counts("district") if key},
        budgets={bucket: budgets.get(bucket.key, 0) for bucket in query.budget_facets},
        deadlines={days: deadlines.get(str(days), 0) for days in query.deadline_facets},
    )
