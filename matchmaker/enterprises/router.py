"""Enterprise API routes; each one only translates HTTP to a service call."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from matchmaker.api import problems
from matchmaker.deps import CurrentActor, CurrentUser, SessionDep
from matchmaker.enterprises import service
from matchmaker.enterprises.schemas import EnterpriseData, EnterpriseOut, EnterpriseUpdate
from matchmaker.enterprises.service import EnterpriseFilters
from matchmaker.fields import EnterpriseSize
from matchmaker.schemas import Page, PageParams

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


@router.get("", response_model=Page[EnterpriseOut], responses=problems(422))
def list_enterprises(
    db: SessionDep,
    actor: CurrentActor,
    page: Annotated[PageParams, Query()],
    size: EnterpriseSize | None = None,
    district: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in name or description")
    ] = None,
) -> Page[EnterpriseOut]:
    filters = EnterpriseFilters(size=size, district=district, tag=tag, q=q)
    rows, total = service.list_page(db, filters=filters, page=page)
    items = [service.view(db, actor=actor, enterprise=row) for row in rows]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


@router.get("/{enterprise_id}", response_model=EnterpriseOut, responses=problems(404))
def read_enterprise(db: SessionDep, actor: CurrentActor, enterprise_id: str) -> EnterpriseOut:
    enterprise = service.get(db, enterprise_id=enterprise_id)
    return service.view(db, actor=actor, enterprise=enterprise)


@router.post(
    "", response_model=EnterpriseOut, status_code=201, responses=problems(401, 403, 409, 422)
)
def create_enterprise(db: SessionDep, user: CurrentUser, body: EnterpriseData) -> EnterpriseOut:
    enterprise = service.create(db, actor=user, data=body)
    return service.view(db, actor=user, enterprise=enterprise)


@router.patch(
    "/{enterprise_id}", response_model=EnterpriseOut, responses=problems(401, 403, 404, 409, 422)
)
def update_enterprise(
    db: SessionDep, user: CurrentUser, enterprise_id: str, body: EnterpriseUpdate
) -> EnterpriseOut:
    enterprise = service.update(db, actor=user, enterprise_id=enterprise_id, patch=body)
    return service.view(db, actor=user, enterprise=enterprise)


@router.delete("/{enterprise_id}", status_code=204, responses=problems(401, 403, 404))
def delete_enterprise(db: SessionDep, user: CurrentUser, enterprise_id: str) -> Response:
    service.delete(db, actor=user, enterprise_id=enterprise_id)
    return Response(status_code=204)


@router.post(
    "/{enterprise_id}/consent",
    responses=problems(401, 403, 404, 422),
    summary="Agree to meet this enterprise; contacts open up once both sides agree",
)
def consent_to_meet(db: SessionDep, user: CurrentUser, enterprise_id: str) -> dict[str, bool]:
    mutual = service.agree_to_meet(db, actor=user, counterpart_id=enterprise_id)
    return {"mutual": mutual}
