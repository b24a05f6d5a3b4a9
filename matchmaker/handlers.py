"""One place that decides how errors look: problem+json under /api, a page elsewhere."""

from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from matchmaker import i18n
from matchmaker.api import PROBLEM
from matchmaker.body_limit import BodyTooLarge
from matchmaker.deps import CSRF_COOKIE
from matchmaker.errors import DomainError, FieldError, RetryLater, ServiceUnavailable
from matchmaker.i18n import N_

logger = logging.getLogger(__name__)

_TITLES = {
    400: N_("Bad request"),
    401: N_("Authentication required"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Content too large"),
    422: N_("Validation failed"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}
UNSTORABLE = "the request holds a value the database cannot store, such as a NUL character"
BUSY = N_("The platform is busy; please try again in a few seconds.")
TOO_LARGE = N_("The request is larger than %(limit)s bytes, the limit set by %(setting)s.")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem_response(
    request: Request, status: int, detail: str, errors: list[FieldError] | None = None
) -> Response:
    title = _TITLES.get(status, "Error")
    if not _is_api(request):
        return _error_page(request, status, title, detail)
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


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    """Pages send anonymous visitors to the login form and show other errors in their language."""
    if status == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    templates = request.app.state.templates
    context = {
        "status": status,
        "title": title,
        "detail": detail,
        "user": None,
        "locale": i18n.negotiate(request),
        "current_path": request.url.path,
        "csrf_token": request.cookies.get(CSRF_COOKIE, ""),
    }
    page: Response = templates.TemplateResponse(request, "error.html", context, status_code=status)
    return page


def _location(loc: tuple[Any, ...]) -> str:
    """Body fields are named as in the record (`title`), parameters by where they are."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"] and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


async def _domain_error(request: Request, exc: Exception) -> Response:
    exc = cast(DomainError, exc)
    if not isinstance(exc, RetryLater):
        return problem_response(request, exc.status, exc.detail, exc.errors)
    # Refused before any form is shown again: the page says why in the visitor's language.
    detail = exc.detail if _is_api(request) else i18n.gettext(i18n.negotiate(request), exc.detail)
    response = problem_response(request, exc.status, detail)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


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
    if isinstance(exc, BodyTooLarge) and not _is_api(request):
        detail = i18n.gettext(
            i18n.negotiate(request), TOO_LARGE, limit=exc.limit, setting=exc.setting
        )
    return problem_response(request, exc.status_code, detail)


async def _pool_exhausted(request: Request, exc: Exception) -> Response:
    """Every database connection stayed busy for the pool timeout: the server is overloaded.
    Saying so with 503 and Retry-After lets clients back off instead of seeing a 500."""
    logger.warning(
        "no database connection free for %s %s: %s", request.method, request.url.path, exc
    )
    return await _domain_error(request, ServiceUnavailable(BUSY, retry_after=5))


async def _unstorable(request: Request, exc: Exception) -> Response:
    """A value the database refuses (PostgreSQL: a NUL character in text, even in a query
    parameter). The transaction is rolled back with the session; the client gets a 422."""
    logger.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(request, 422, UNSTORABLE)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyTimeout, _pool_exhausted)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(Exception, _unexpected)
