"""The account list for admins and organisers: filter, confirm, deactivate, reactivate."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import Response

from matchmaker import policy
from matchmaker.accounts import admin, lockout
from matchmaker.accounts.admin import STATUS_LABELS, AccountStatus, UserFilters
from matchmaker.accounts.models import User
from matchmaker.deps import SettingsDep, csrf_form
from matchmaker.errors import InvalidState
from matchmaker.fields import Role
from matchmaker.forms import FormState
from matchmaker.i18n import N_
from matchmaker.labels import choices
from matchmaker.portal import Portal, PortalDep
from matchmaker.schemas import PageParams

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_form)]
PER_PAGE = 25
NOT_IN_THAT_STATE = N_("Nothing changed: the account is not in that state any more.")
E = TypeVar("E", bound=StrEnum)
Next = Annotated[str, Form(max_length=500)]


def _member(enum: type[E], value: str) -> E | None:
    """A filter value from the query string; unknown values mean no filter."""
    try:
        return enum(value)
    except ValueError:
        return None


@router.get("/admin/users")
def users(
    portal: PortalDep,
    status: Annotated[str, Query(max_length=20)] = "",
    role: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    actor = portal.require_user()
    filters = UserFilters(
        status=_member(AccountStatus, status), role=_member(Role, role), q=q.strip() or None
    )
    rows, total = admin.list_page(
        portal.db, actor=actor, filters=filters, page=PageParams(page=page, per_page=PER_PAGE)
    )
    query = {key: value for key, value in {"status": status, "role": role, "q": q}.items() if value}

    def url_for_page(number: int) -> str:
        return "/admin/users?" + urlencode({**query, "page": number})

    context = {
        "rows": [_row(actor, row) for row in rows],
        "enterprise_names": admin.enterprise_names(portal.db, rows),
        "filter_form": FormState(values={"status": status, "role": role, "q": q}),
        "statuses": [(s.value, portal._(label)) for s, label in STATUS_LABELS.items()],
        "status_labels": {s: portal._(label) for s, label in STATUS_LABELS.items()},
        "roles": [(value, portal._(label)) for value, label in choices(Role)],
        "page": page,
        "total": total,
        "per_page": PER_PAGE,
        "url_for_page": url_for_page,
        "here": url_for_page(page),
    }
    return portal.render("accounts/users.html", context)


def _row(actor: User, user: User) -> dict[str, object]:
    """One line of the list, with the actions the policy lets this actor take on it."""
    return {
        "user": user,
        "status": admin.status_of(user),
        "confirm": policy.can_confirm_user(actor, user),
        "deactivate": policy.can_deactivate_user(actor, user),
        "reactivate": policy.can_reactivate_user(actor, user),
        "locked": lockout.is_locked(user),
        "unlock": lockout.is_locked(user) and policy.can_deactivate_user(actor, user),
    }


def _back(portal: Portal, next_url: str, kind: str, message: str) -> Response:
    """Back to the list as it was filtered; only the list itself is a valid target."""
    portal.flash(kind, message)
    return portal.redirect(next_url if next_url.startswith("/admin/users") else "/admin/users")


@router.post("/admin/users/{user_id}/confirm", dependencies=CSRF)
def confirm(
    portal: PortalDep, settings: SettingsDep, user_id: str, next: Next = "/admin/users"
) -> Response:
    actor = portal.require_user()
    login_url = settings.public_url.rstrip("/") + "/login"
    try:
        admin.confirm(
            portal.db,
            actor=actor,
            user_id=user_id,
            mailer=portal.request.app.state.mailer,
            login_url=login_url,
        )
    except InvalidState:
        return _back(portal, next, "error", NOT_IN_THAT_STATE)
    return _back(portal, next, "success", N_("The account is confirmed; the user has been told."))


@router.post("/admin/users/{user_id}/deactivate", dependencies=CSRF)
def deactivate(portal: PortalDep, user_id: str, next: Next = "/admin/users") -> Response:
    actor = portal.require_user()
    try:
        admin.deactivate(portal.db, actor=actor, user_id=user_id)
    except InvalidState:
        return _back(portal, next, "error", NOT_IN_THAT_STATE)
    return _back(
        portal, next, "success", N_("The account is deactivated; its sessions have ended.")
    )


@router.post("/admin/users/{user_id}/reactivate", dependencies=CSRF)
def reactivate(portal: PortalDep, user_id: str, next: Next = "/admin/users") -> Response:
    actor = portal.require_user()
    try:
        admin.reactivate(portal.db, actor=actor, user_id=user_id)
    except InvalidState:
        return _back(portal, next, "error", NOT_IN_THAT_STATE)
    return _back(portal, next, "success", N_("The account is active again."))


@router.post("/admin/users/{user_id}/unlock", dependencies=CSRF)
def unlock(portal: PortalDep, user_id: str, next: Next = "/admin/users") -> Response:
    actor = portal.require_user()
    try:
        admin.unlock(portal.db, actor=actor, user_id=user_id)
    except InvalidState:
        return _back(portal, next, "error", NOT_IN_THAT_STATE)
    return _back(portal, next, "success", N_("The account is unlocked; the user may log in again."))
