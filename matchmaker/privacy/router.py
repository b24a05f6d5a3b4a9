"""The personal-information API: download your data, delete your account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from matchmaker.api import problems
from matchmaker.deps import CurrentUser, SessionDep, csrf_header
from matchmaker.privacy import service

router = APIRouter(prefix="/api/v1", tags=["privacy"], dependencies=[Depends(csrf_header)])


class Erasure(BaseModel):
    password: str = Field(max_length=256, description="The account's password, entered again")


@router.get("/me/data", responses=problems(401))
def my_data(db: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Every record held about you (the same as the portal's JSON download)."""
    data = service.personal_data(db, user=user)
    service.viewed(db, user=user, download=True)
    return data


@router.delete("/me", status_code=204, responses=problems(401, 403, 409, 422))
def delete_me(db: SessionDep, user: CurrentUser, body: Erasure) -> Response:
    """Delete your account: personal fields pseudonymised, logins ended, signatures kept."""
    service.erase(db, user=user, password=body.password)
    return Response(status_code=204)
