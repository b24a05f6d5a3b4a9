"""Need API routes, including the lifecycle actions publish, close and reopen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.api import problems
from matchmaker.deps import CurrentActor, CurrentUser, SessionDep
from matchmaker.fields import NeedStatus, NeedType
from matchmaker.introductions import service as introductions
from matchmaker.needs import service
from matchmaker.needs.models import Need
from matchmaker.needs.schemas import NeedClose, NeedCreate, NeedOut, NeedUpdate
from matchmaker.needs.service import NeedFilters
from matchmaker.notifications.matches import notify_strong_matches
from matchmaker.schemas import Page, PageParams

router = APIRouter(prefix="/needs", tags=["needs"])
WRITE_ERRORS = problems(401, 403, 404, 409, 422)


@router.get("", response_model=Page[NeedOut], responses=problems(422))
def list_needs(
    db: SessionDep,
    actor: CurrentActor,
    page: Annotated[PageParams, Query()],
    type: NeedType | None = None,
    status: NeedStatus | None = None,
    district: Annotated[str | None, Query(max_length=200, description="Poster's district")] = None,
    tag: Annotated[str | None, Query(max_length=200, description="Poster's tag")] = None,
    enterprise_id: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the need")] = None,
) -> Page[NeedOut]:
    filters = NeedFilters(
        type=type, status=status, district=district, tag=tag, enterprise_id=enterprise_id, q=q
    )
    rows, total = service.list_page(db, actor=actor, filters=filters, page=page)
    items = [_out(db, actor, row) for row in rows]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


@router.get("/{need_id}", response_model=NeedOut, responses=problems(404))
def read_need(db: SessionDep, actor: CurrentActor, need_id: str) -> NeedOut:
    return _out(db, actor, service.get(db, actor=actor, need_id=need_id))


def _out(db: Session, actor: User | None, need: Need) -> NeedOut:
    """Confidential needs show their public summary until the firm lets the reader in."""
    out = NeedOut.model_validate(need)
    if not introductions.unlocks_full_need(db, actor=actor, need=need):
        out.description = need.public_summary or ""
        out.requirements = []
    return out


@router.post("", response_model=NeedOut, status_code=201, responses=WRITE_ERRORS)
def create_need(request: Request, db: SessionDep, user: CurrentUser, body: NeedCreate) -> NeedOut:
    need = service.create(db, actor=user, data=body)
    if body.publish:
        notify_strong_matches(db, request.app.state.matching, need.id)
    return NeedOut.model_validate(need)


@router.patch("/{need_id}", response_model=NeedOut, responses=WRITE_ERRORS)
def update_need(db: SessionDep, user: CurrentUser, need_id: str, body: NeedUpdate) -> NeedOut:
    return NeedOut.model_validate(service.update_need(db, actor=user, need_id=need_id, patch=body))


@router.post("/{need_id}/publish", response_model=NeedOut, responses=WRITE_ERRORS)
def publish_need(request: Request, db: SessionDep, user: CurrentUser, need_id: str) -> NeedOut:
    need = service.publish(db, actor=user, need_id=need_id)
    notify_strong_matches(db, request.app.state.matching, need.id)
    return NeedOut.model_validate(need)


@router.post("/{need_id}/close", response_model=NeedOut, responses=WRITE_ERRORS)
def close_need(db: SessionDep, user: CurrentUser, need_id: str, body: NeedClose) -> NeedOut:
    return NeedOut.model_validate(
        service.close(db, actor=user, need_id=need_id, reason=body.reason)
    )


@router.post("/{need_id}/reopen", response_model=NeedOut, responses=WRITE_ERRORS)
def reopen_need(request: Request, db: SessionDep, user: CurrentUser, need_id: str) -> NeedOut:
    need = service.reopen(db, actor=user, need_id=need_id)
    notify_strong_matches(db, request.app.state.matching, need.id)
    return NeedOut.model_validate(need)


@router.delete("/{need_id}", status_code=204, responses=WRITE_ERRORS)
def delete_need(db: SessionDep, user: CurrentUser, need_id: str) -> Response:
    service.delete(db, actor=user, need_id=need_id)
    return Response(status_code=204)
