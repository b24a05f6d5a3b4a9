"""The /api/v1 router: every domain's API routes, CSRF for cookie writes, documented errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from matchmaker.deps import csrf_header
from matchmaker.schemas import Problem

PROBLEM = "application/problem+json"


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give."""
    descriptions = {
        401: "Not authenticated",
        403: "Not allowed for this user",
        404: "No such record, or not visible to this user",
        409: "Conflicts with the record's state or another record",
        422: "Invalid input; `errors` names each field",
    }
    return {
        status: {"model": Problem, "description": descriptions[status], "content": {PROBLEM: {}}}
        for status in statuses
    }


def build_api_router() -> APIRouter:
    from matchmaker.accounts.router import router as accounts_router
    from matchmaker.enterprises.router import router as enterprises_router
    from matchmaker.needs.router import router as needs_router
    from matchmaker.profiles.router import router as profiles_router

    router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_header)])
    for child in (accounts_router, enterprises_router, profiles_router, needs_router):
        router.include_router(child)
    return router
