"""HTML pages of the foundation: the home page and web login/logout.

The full portal arrives with its own issue; these pages already follow its rules: no
business logic here, CSRF on every form, Chinese first with English beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from matchmaker.accounts import cookies
from matchmaker.accounts import service as accounts
from matchmaker.accounts.security import new_token
from matchmaker.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentActor,
    SessionDep,
    SettingsDep,
    csrf_form,
)
from matchmaker.errors import Unauthorized
from matchmaker.fields import NeedType
from matchmaker.overview import overview

router = APIRouter(include_in_schema=False)

NEED_TYPE_LABELS = {
    NeedType.TECHNOLOGY: ("技术研发", "Technology R&D"),
    NeedType.SUPPLY_CHAIN: ("供应链", "Supply chain"),
    NeedType.INVESTMENT: ("投资", "Investment"),
    NeedType.INCUBATION: ("孵化", "Incubation"),
    NeedType.SERVICE: ("服务", "Services"),
}


def _render(
    request: Request, name: str, context: Mapping[str, object], status: int = 200
) -> Response:
    templates = request.app.state.templates
    existing = request.cookies.get(CSRF_COOKIE)
    csrf = existing or new_token()
    response: Response = templates.TemplateResponse(
        request, name, {**context, "csrf_token": csrf}, status_code=status
    )
    if not existing:
        cookies.set_csrf(response, request, request.app.state.settings, csrf)
    return response


@router.get("/")
def home(request: Request, db: SessionDep, actor: CurrentActor) -> Response:
    context = {"user": actor, "overview": overview(db), "labels": NEED_TYPE_LABELS}
    return _render(request, "home.html", context)


@router.get("/login")
def login_form(request: Request, actor: CurrentActor, next: str = "/") -> Response:
    return _render(request, "login.html", {"user": actor, "next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(csrf_form)])
def login_submit(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        user = accounts.authenticate(db, email=email, password=password)
    except Unauthorized as error:
        context = {"user": None, "next": _safe_next(next), "error": error.detail, "email": email}
        return _render(request, "login.html", context, status=401)
    token = accounts.start_session(db, user=user, days=settings.session_days)
    response = RedirectResponse(_safe_next(next), status_code=303)
    cookies.set_login(response, request, settings, token)
    return response


@router.post("/logout", dependencies=[Depends(csrf_form)])
def logout_submit(request: Request, db: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(db, token)
    response = RedirectResponse("/", status_code=303)
    cookies.clear_login(response)
    return response


def _safe_next(target: str) -> str:
    """Only same-site paths; anything else (//evil, http://evil, \\evil) goes home."""
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
    ):
        return "/"
    return target
