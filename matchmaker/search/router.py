"""GET /api/v1/search/needs: the /needs page's search over the API, facet counts included.

Open to everyone, as the page is: it reads only the public documents the search backend
holds (a confidential need shows its public summary). With a search engine configured it
runs there, and answers 503 with Retry-After while the engine is away.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from matchmaker.api import problems
from matchmaker.deps import SessionDep
from matchmaker.errors import FieldError, ValidationFailed
from matchmaker.fields import NeedStatus, NeedType
from matchmaker.search.base import BUDGET_RANGES, BudgetRange, NeedHit, NeedQuery, Sort
from matchmaker.search.service import SearchService

router = APIRouter(prefix="/search", tags=["search"])
Values = Annotated[list[str], Query(max_length=20)]


class NeedHitOut(BaseModel):
    id: str
    enterprise_id: str
    enterprise_name: str
    district: str
    type: NeedType
    status: NeedStatus
    title: str
    summary: str
    requirements: list[str]
    segments: list[str]
    chains: list[str]
    budget_min: float | None
    budget_max: float | None
    deadline: dt.date | None
    created_at: dt.datetime
    confidential: bool
    score: float


class FacetsOut(BaseModel):
    """Counts per filter value; each facet ignores its own filter (see search.base.Facets).
    `budgets` is keyed by range ("50-200"), `deadlines` by days ("30")."""

    types: dict[NeedType, int]
    chains: dict[str, int]
    districts: dict[str, int]
    budgets: dict[str, int]
    deadlines: dict[str, int]


class NeedSearchOut(BaseModel):
    items: list[NeedHitOut]
    total: int
    page: int
    per_page: int
    facets: FacetsOut


def _hit(hit: NeedHit) -> NeedHitOut:
    doc = hit.document
    return NeedHitOut(
        id=doc.id, enterprise_id=doc.enterprise_id, enterprise_name=doc.enterprise_name,
        district=doc.district, type=doc.type, status=doc.status, title=doc.title,
        summary=doc.summary, requirements=list(doc.requirements), segments=list(doc.segments),
        chains=list(doc.chains), budget_min=doc.budget_min, budget_max=doc.budget_max,
        deadline=doc.deadline, created_at=doc.created_at, confidential=doc.confidential,
        score=hit.score,
    )  # fmt: skip


def _budget(value: str | None) -> BudgetRange | None:
    if value is None:
        return None
    try:
        return BudgetRange.parse(value)
    except ValueError:
        keys = ", ".join(bucket.key for bucket in BUDGET_RANGES)
        raise ValidationFailed(
            f"budget must be a range in 10,000 yuan such as {keys}",
            errors=[FieldError("query.budget", f"not a budget range: {value!r}")],
        ) from None


@router.get("/needs", response_model=NeedSearchOut, responses=problems(422, 503))
def search_needs(
    request: Request,
    db: SessionDep,
    q: Annotated[str, Query(max_length=200, description="Words that must all occur")] = "",
    type: Annotated[list[NeedType], Query(max_length=5)] = [],  # noqa: B006 - FastAPI copies
    chain: Values = [],  # noqa: B006
    district: Values = [],  # noqa: B006
    budget: Annotated[str | None, Query(description='Budget range, e.g. "50-200"')] = None,
    due: Annotated[int | None, Query(ge=1, le=366, description="Deadline within days")] = None,
    by: Annotated[dt.date | None, Query(description="Deadline on or before")] = None,
    sort: Sort | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NeedSearchOut:
    search: SearchService = request.app.state.search
    query = NeedQuery(
        text=q, types=frozenset(type), chains=frozenset(chain), districts=frozenset(district),
        budget=_budget(budget), deadline_within=due, deadline_by=by, sort=sort, page=page,
        per_page=per_page,
    )  # fmt: skip
    results = search.search(db, query)
    facets = results.facets
    return NeedSearchOut(
        items=[_hit(hit) for hit in results.hits],
        total=results.total,
        page=results.page,
        per_page=results.per_page,
        facets=FacetsOut(
            types=facets.types,
            chains=facets.chains,
            districts=facets.districts,
            budgets={bucket.key: count for bucket, count in facets.budgets.items()},
            deadlines={str(days): count for days, count in facets.deadlines.items()},
        ),
    )
