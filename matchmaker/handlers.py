"""One place that decides how errors look: problem+json under /api, a page elsewhere."""

from __future__ import annotations

import logging
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from matchmaker.api import PROBLEM
from matchmaker.errors import DomainError, FieldError

logger = logging.getLogger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Validation failed",
    500: "Internal server error",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem_response(
    request: Request, status: int, detail: str, errors: list[FieldError] | None = None
) -> Response:
    title = _TITLES.get(status, "Error")
    if not _is_api(request):
        templates = request.app.state.templates
        page: Response = templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail},
            status_code=status,
        )
        return page
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "errors": [{"field": e.field, "message": e.message} for e in errors or []],
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    """Body fields are named as in the record (`title`), parameters by where they are."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"] and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


async def _domain_error(request: Request, exc: Exception) -> Response:
    exc = cast(DomainError, exc)
    return problem_response(request, exc.status, exc.detail, exc.errors)


async def _validation_error(request: Request, exc: Exception) -> Response:
    exc = cast(RequestValidationError, exc)
    errors = [
        FieldError(_location(item["loc"]), str(item["msg"]).removeprefix("Value error, "))
        for item in exc.errors()
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "the request is invalid"
    return problem_response(request, 422, detail, errors)


async def _http_error(request: Request, exc: Exception) -> Response:
    exc = cast(StarletteHTTPException, exc)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}"
    return problem_response(request, exc.status_code, detail)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
