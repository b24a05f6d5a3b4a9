"""Capability profile API routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from matchmaker.api import problems
from matchmaker.deps import CurrentActor, CurrentUser, SessionDep
from matchmaker.fields import ProfileStatus
from matchmaker.profiles import service
from matchmaker.profiles.schemas import ProfileCreate, ProfileOut, ProfileUpdate
from matchmaker.profiles.service import ProfileFilters
from matchmaker.schemas import Page, PageParams

router = APIRouter(prefix="/profiles", tags=["profiles"])


@router.get("", response_model=Page[ProfileOut], responses=problems(422))
def list_profiles(
    db: SessionDep,
    actor: CurrentActor,
    page: Annotated[PageParams, Query()],
    status: ProfileStatus | None = None,
    district: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=200, description="Enterprise tag")] = None,
    certification: Annotated[str | None, Query(max_length=200)] = None,
    enterprise_id: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the profile")] = None,
) -> Page[ProfileOut]:
    filters = ProfileFilters(
        status=status,
        district=district,
        tag=tag,
        certification=certification,
        enterprise_id=enterprise_id,
        q=q,
    )
    rows, total = service.list_page(db, actor=actor, filters=filters, page=page)
    items = [ProfileOut.model_validate(row) for row in rows]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


@router.get("/{profile_id}", response_model=ProfileOut, responses=problems(404))
def read_profile(db: SessionDep, actor: CurrentActor, profile_id: str) -> ProfileOut:
    return ProfileOut.model_validate(service.get(db, actor=actor, profile_id=profile_id))


@router.post("", response_model=ProfileOut, status_code=201, responses=problems(401, 403, 404, 422))
def create_profile(db: SessionDep, user: CurrentUser, body: ProfileCreate) -> ProfileOut:
    return ProfileOut.model_validate(service.create(db, actor=user, data=body))


@router.patch("/{profile_id}", response_model=ProfileOut, responses=problems(401, 403, 404, 422))
def update_profile(
    db: SessionDep, user: CurrentUser, profile_id: str, body: ProfileUpdate
) -> ProfileOut:
    profile = service.update_profile(db, actor=user, profile_id=profile_id, patch=body)
    return ProfileOut.model_validate(profile)


@router.delete("/{profile_id}", status_code=204, responses=problems(401, 403, 404))
def delete_profile(db: SessionDep, user: CurrentUser, profile_id: str) -> Response:
    service.delete(db, actor=user, profile_id=profile_id)
    return Response(status_code=204)
