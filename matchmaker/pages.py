"""Site-wide pages: home, web login/logout and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from matchmaker import dashboard as dashboards
from matchmaker import i18n
from matchmaker.accounts import cookies, lockout
from matchmaker.accounts import service as accounts
from matchmaker.deps import SESSION_COOKIE, SettingsDep, csrf_form
from matchmaker.errors import Unauthorized
from matchmaker.overview import overview
from matchmaker.portal import PortalDep, safe_next
from matchmaker.ratelimit.guard import limit_attempt

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(portal: PortalDep) -> Response:
    return portal.render("home.html", {"overview": overview(portal.db)})


@router.get("/dashboard")
def dashboard(portal: PortalDep) -> Response:
    user = portal.require_user()
    board = dashboards.for_user(portal.db, portal.request.app.state.rankings, user)
    return portal.render("dashboard.html", {"board": board})


@router.get("/login")
def login_form(portal: PortalDep, next: str = "/dashboard") -> Response:
    return portal.render("login.html", {"next": safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(csrf_form)])
def login_submit(
    portal: PortalDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/dashboard",
) -> Response:
    limit_attempt(portal.request, "login", email)
    try:
        user = accounts.authenticate(
            portal.db, email=email, password=password, lockout=lockout.for_request(portal.request)
        )
    except Unauthorized as error:
        context = {"next": safe_next(next), "error": error.detail, "email": email}
        return portal.render("login.html", context, status=401)
    token = accounts.start_session(portal.db, user=user, days=settings.session_days)
    response = RedirectResponse(safe_next(next), status_code=303)
    cookies.set_login(response, portal.request, settings, token)
    return response


@router.post("/logout", dependencies=[Depends(csrf_form)])
def logout_submit(portal: PortalDep) -> Response:
    token = portal.request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(portal.db, token)
    response = RedirectResponse("/", status_code=303)
    cookies.clear_login(response)
    return response


@router.post("/language", dependencies=[Depends(csrf_form)])
def choose_language(
    locale: Annotated[str, Form(max_length=16)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if locale in i18n.LOCALES:
        response.set_cookie(
            i18n.LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax", path="/"
        )
    return response
