"""The /api/v1 router: every domain's API routes, CSRF for cookie writes, documented errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from matchmaker.deps import csrf_header
from matchmaker.schemas import Problem

PROBLEM = "application/problem+json"
BODY_TOO_LARGE = "The body is larger than MATCHMAKER_MAX_BODY_BYTES (docs/security.md, Limits)."
MALFORMED_BODY = "The body cannot be parsed (not UTF-8, or not the declared media type)"


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give (422 always can)."""
    descriptions = {
        401: "Not authenticated",
        403: "Not allowed for this user",
        404: "No such record, or not visible to this user",
        409: "Conflicts with the record's state or another record",
        422: "Invalid input; `errors` names each field",
        429: "Too many attempts; wait the seconds in the Retry-After header",
        503: "A backend of this feature is away; retry after the Retry-After seconds",
    }
    return {status: {"description": descriptions[status]} for status in {*statuses, 422}}


def document_problems(app: FastAPI) -> None:
    """Describe every 4xx/5xx response as application/problem+json with the Problem schema.

    FastAPI documents error models as application/json and 422 as its own validation
    shape; the app sends neither, so the document is rewritten once to say what is sent.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in (
            Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            .pop("$defs", {})
            .items()
        ):
            components[name] = definition
        components["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components["Problem"].pop("$defs", None)
        reference = {"$ref": "#/components/schemas/Problem"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" in operation:  # a body that is not UTF-8 JSON never validates
                    operation["responses"].setdefault("400", {"description": MALFORMED_BODY})
                    operation["responses"].setdefault("413", {"description": BODY_TOO_LARGE})
                for status, response in operation.get("responses", {}).items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = {PROBLEM: {"schema": reference}}
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_api_router() -> APIRouter:
    from matchmaker.accounts.router import router as accounts_router
    from matchmaker.enterprises.router import router as enterprises_router
    from matchmaker.matching.router import router as matching_router
    from matchmaker.needs.router import router as needs_router
    from matchmaker.profiles.router import router as profiles_router
    from matchmaker.search.router import router as search_router

    router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_header)])
    for child in (
        accounts_router,
        enterprises_router,
        profiles_router,
        needs_router,
        matching_router,
        search_router,
    ):
        router.include_router(child)
    return router
