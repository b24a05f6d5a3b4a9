"""Account pages: sign-up, forgotten passwords and the user's own account.

Handlers only translate between HTTP and the services (registration, resets, service); the
admins' and organisers' account list lives in admin_pages.py and is included here.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel

from matchmaker.accounts import admin_pages, cookies, registration, resets
from matchmaker.accounts import forms as account_forms
from matchmaker.accounts import service as accounts
from matchmaker.accounts.models import User
from matchmaker.accounts.schemas import TokenCreate
from matchmaker.deps import SettingsDep, csrf_form
from matchmaker.enterprises import service as enterprises
from matchmaker.errors import DomainError, InvalidState
from matchmaker.fields import EnterpriseSize
from matchmaker.forms import FormState, record_domain_error, validate
from matchmaker.i18n import N_
from matchmaker.labels import choices
from matchmaker.portal import Portal, PortalDep
from matchmaker.ratelimit.guard import limit_attempt

router = APIRouter(include_in_schema=False)
router.include_router(admin_pages.router)
CSRF = [Depends(csrf_form)]
T = TypeVar("T", bound=BaseModel)
SIGNUPS: dict[str, type[registration.Signup]] = {
    "enterprise": registration.EnterpriseSignup,
    "organiser": registration.OrganiserSignup,
}
TOKEN_DAYS = ("30", "90", "365")
TOKEN_ACCESS = (("", N_("Everything your account may do")), ("read", N_("Read only")))
SCOPE_LABELS = {"read": N_("read"), "write": N_("write"), "admin": N_("admin")}


async def _validated(portal: Portal, schema: type[T]) -> tuple[FormState, T | None]:
    values = account_forms.submitted(await portal.request.form(), schema)
    state = FormState(values=account_forms.shown(values))
    return state, validate(schema, values, state, portal.locale)


def _refused(error: DomainError, state: FormState, portal: Portal) -> None:
    """Put a service's refusal beside the fields; permission errors keep their own page."""
    if error.status in (401, 403, 404):
        raise error
    portal.db.rollback()
    record_domain_error(error, state, portal.locale)


# Sign-up -------------------------------------------------------------------------------------


def _signup_page(portal: Portal, kind: str, state: FormState, status: int = 200) -> Response:
    choose = [("", portal._("Choose…"))]
    context = {
        "kind": kind,
        "form": state,
        "sizes": choose + [(v, portal._(label)) for v, label in choices(EnterpriseSize)],
        "districts": choose + [(d, d) for d in registration.DISTRICTS],
    }
    return portal.render("accounts/signup.html", context, status=status)


@router.get("/signup")
def signup_form(portal: PortalDep) -> Response:
    return _signup_page(portal, "enterprise", FormState())


@router.get("/signup/organiser")
def organiser_signup_form(portal: PortalDep) -> Response:
    return _signup_page(portal, "organiser", FormState())


@router.post("/signup", dependencies=CSRF)
async def signup(portal: PortalDep, settings: SettingsDep) -> Response:
    return await _signup(portal, settings, "enterprise")


@router.post("/signup/organiser", dependencies=CSRF)
async def organiser_signup(portal: PortalDep, settings: SettingsDep) -> Response:
    return await _signup(portal, settings, "organiser")


async def _signup(portal: Portal, settings: SettingsDep, kind: str) -> Response:
    state, data = await _validated(portal, SIGNUPS[kind])
    limit_attempt(portal.request, "signup", str(state.values.get("email", "")))
    if data is None:
        return _signup_page(portal, kind, state, status=422)
    try:
        user = registration.register(portal.db, data=data)
    except DomainError as error:
        _refused(error, state, portal)
        return _signup_page(portal, kind, state, status=422)
    if user.confirmed_at is None:
        return portal.redirect("/signup/waiting")
    token = accounts.start_session(portal.db, user=user, days=settings.session_days)
    portal.flash("success", N_("Welcome! Your account is ready."))
    response = portal.redirect("/dashboard")
    cookies.set_login(response, portal.request, settings, token)
    return response


@router.get("/signup/waiting")
def signup_waiting(portal: PortalDep) -> Response:
    return portal.render("accounts/waiting.html")


# Forgotten password --------------------------------------------------------------------------


@router.get("/password/forgot")
def forgot_form(portal: PortalDep) -> Response:
    return portal.render("accounts/forgot.html", {"form": FormState()})


@router.post("/password/forgot", dependencies=CSRF)
async def forgot(portal: PortalDep, settings: SettingsDep) -> Response:
    state, data = await _validated(portal, account_forms.ForgotPassword)
    limit_attempt(portal.request, "reset", str(state.values.get("email", "")))
    if data is None:
        return portal.render("accounts/forgot.html", {"form": state}, status=422)
    resets.request_reset(
        portal.db,
        email=data.email,
        mailer=portal.request.app.state.mailer,
        public_url=settings.public_url,
        locale=portal.locale,
    )
    return portal.redirect("/password/forgot/sent")


@router.get("/password/forgot/sent")
def forgot_sent(portal: PortalDep) -> Response:
    return portal.render("accounts/forgot_sent.html")


def _reset_page(portal: Portal, token: str, state: FormState, status: int = 200) -> Response:
    response = portal.render("accounts/reset.html", {"form": state, "token": token}, status)
    # The token is in the URL: keep it out of Referer headers and caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _reset_invalid(portal: Portal) -> Response:
    return portal.render("accounts/reset_invalid.html", status=410)


@router.get("/password/reset/{token}")
def reset_form(portal: PortalDep, token: str) -> Response:
    try:
        resets.check_reset(portal.db, token=token)
    except InvalidState:
        return _reset_invalid(portal)
    return _reset_page(portal, token, FormState())


@router.post("/password/reset/{token}", dependencies=CSRF)
async def reset(portal: PortalDep, token: str) -> Response:
    try:
        resets.check_reset(portal.db, token=token)
    except InvalidState:
        return _reset_invalid(portal)
    state, data = await _validated(portal, account_forms.NewPassword)
    if data is None:
        return _reset_page(portal, token, state, status=422)
    try:
        resets.complete_reset(portal.db, token=token, new_password=data.password)
    except DomainError as error:
        _refused(error, state, portal)
        return _reset_page(portal, token, state, status=422)
    portal.flash("success", N_("Your password has been changed. Log in with the new password."))
    return portal.redirect("/login")


# The user's own account ----------------------------------------------------------------------


def _account_page(
    portal: Portal,
    user: User,
    status: int = 200,
    *,
    password_form: FormState | None = None,
    token_form: FormState | None = None,
    new_token: str | None = None,
) -> Response:
    db = portal.db
    context = {
        "account": user,
        "enterprise": enterprises.get(db, enterprise_id=user.enterprise_id)
        if user.enterprise_id
        else None,
        "tokens": accounts.list_tokens(db, user=user),
        "token_days": [(days, portal._("%(days)s days", days=days)) for days in TOKEN_DAYS],
        "token_scopes": [(value, portal._(label)) for value, label in TOKEN_ACCESS],
        "scope_labels": {scope: portal._(label) for scope, label in SCOPE_LABELS.items()},
        "password_form": password_form or FormState(),
        "token_form": token_form or FormState(values={"expires_in_days": "90"}),
        "new_token": new_token,
    }
    response = portal.render("accounts/account.html", context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account")
def account(portal: PortalDep) -> Response:
    return _account_page(portal, portal.require_user())


@router.post("/account/password", dependencies=CSRF)
async def change_password(portal: PortalDep, settings: SettingsDep) -> Response:
    user = portal.require_user()
    state, data = await _validated(portal, account_forms.ChangePassword)
    if data is None:
        return _account_page(portal, user, status=422, password_form=state)
    try:
        accounts.change_password(
            portal.db,
            user=user,
            current_password=data.current_password,
            new_password=data.new_password,
        )
    except DomainError as error:
        _refused(error, state, portal)
        return _account_page(portal, user, status=422, password_form=state)
    # Every session ended with the change; this browser gets a fresh one.
    token = accounts.start_session(portal.db, user=user, days=settings.session_days)
    portal.flash(
        "success",
        N_(
            "Your password has been changed. Your other sessions have ended and your API "
            "tokens are revoked."
        ),
    )
    response = portal.redirect("/account")
    cookies.set_login(response, portal.request, settings, token)
    return response


@router.post("/account/tokens", dependencies=CSRF)
async def create_token(portal: PortalDep) -> Response:
    user = portal.require_user()
    state, data = await _validated(portal, TokenCreate)
    if data is None:
        return _account_page(portal, user, status=422, token_form=state)
    try:
        _token, raw = accounts.issue_token(portal.db, user=user, data=data)
    except DomainError as error:
        _refused(error, state, portal)
        return _account_page(portal, user, status=422, token_form=state)
    return _account_page(portal, user, status=201, new_token=raw)


@router.post("/account/tokens/{token_id}/revoke", dependencies=CSRF)
def revoke_token(portal: PortalDep, token_id: str) -> Response:
    user = portal.require_user()
    accounts.revoke_token(portal.db, user=user, token_id=token_id)
    portal.flash("success", N_("The token is revoked."))
    return portal.redirect("/account")
