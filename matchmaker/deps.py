"""Shared FastAPI dependencies: the database session, the current user, CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from matchmaker.accounts import security
from matchmaker.accounts import service as accounts
from matchmaker.accounts.models import User
from matchmaker.config import Settings
from matchmaker.db import Database
from matchmaker.errors import Forbidden, Unauthorized

SESSION_COOKIE = "mm_session"
CSRF_COOKIE = "mm_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.database
    with database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_actor(request: Request, db: SessionDep) -> User | None:
    """The user behind an API token or a session cookie, or None for anonymous requests.

    A token that is present but invalid is an error rather than anonymity, so a client
    with an expired token learns why instead of silently seeing only public data.
    """
    token = _bearer(request)
    if token is not None:
        user = accounts.user_for_token(db, token, method=request.method)
        if user is None:
            raise Unauthorized("the API token is invalid, expired or revoked")
        return user
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return accounts.user_for_session(db, cookie)
    return None


CurrentActor = Annotated[User | None, Depends(current_actor)]


def require_user(actor: CurrentActor) -> User:
    if actor is None:
        raise Unauthorized("log in or send an API token (Authorization: Bearer mm_...)")
    return actor


CurrentUser = Annotated[User, Depends(require_user)]


def csrf_header(request: Request) -> None:
    """Cookie-authenticated writes must echo the CSRF cookie in a header.

    Token-authenticated requests carry no ambient credentials, so they need no CSRF check.
    """
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    if SESSION_COOKIE not in request.cookies:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not expected or not sent or not security.same(expected, sent):
        raise Forbidden("CSRF check failed: send the mm_csrf cookie's value as X-CSRF-Token")


async def csrf_form(request: Request) -> None:
    """HTML forms carry the CSRF cookie's value in a hidden csrf_token field."""
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get("csrf_token")
    if not expected or not isinstance(sent, str) or not security.same(expected, sent):
        raise Forbidden("the form has expired or did not come from this site; reload and retry")
