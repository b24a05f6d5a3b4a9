"""Login and CSRF cookies, set the same way by the API and the HTML pages."""

from __future__ import annotations

from fastapi import Request, Response

from matchmaker.accounts import security
from matchmaker.config import Settings
from matchmaker.deps import CSRF_COOKIE, SESSION_COOKIE


def _secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


def set_login(response: Response, request: Request, settings: Settings, token: str) -> str:
    """Set the session cookie and a fresh CSRF cookie; returns the CSRF token."""
    secure = _secure(request, settings)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    return set_csrf(response, request, settings)


def set_csrf(
    response: Response, request: Request, settings: Settings, csrf: str | None = None
) -> str:
    # Readable by scripts on purpose: htmx echoes it in the X-CSRF-Token header.
    csrf = csrf or security.new_token()
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=False,
        secure=_secure(request, settings),
        samesite="lax",
        path="/",
    )
    return csrf


def clear_login(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
