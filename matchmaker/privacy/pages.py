"""The user's own data page: see everything held, download it, delete the account."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from matchmaker.accounts import cookies
from matchmaker.deps import csrf_form
from matchmaker.errors import DomainError, ValidationFailed
from matchmaker.i18n import N_
from matchmaker.portal import Portal, PortalDep
from matchmaker.privacy import service

router = APIRouter(include_in_schema=False)
NOT_CONFIRMED = N_("tick the box to confirm that the account should be deleted")


def _page(portal: Portal, error: str | None = None, status: int = 200) -> Response:
    user = portal.require_user()
    data = service.personal_data(portal.db, user=user)
    context = {"data": data, "error": portal._(error) if error else None}
    return portal.render("privacy/data.html", context, status=status)


@router.get("/me/data")
def my_data(portal: PortalDep) -> Response:
    user = portal.require_user()
    service.viewed(portal.db, user=user, download=False)
    return _page(portal)


@router.get("/me/data.json")
def my_data_json(portal: PortalDep) -> Response:
    user = portal.require_user()
    data = service.personal_data(portal.db, user=user)
    service.viewed(portal.db, user=user, download=True)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/me/data/delete", dependencies=[Depends(csrf_form)])
def delete_account(
    portal: PortalDep,
    password: Annotated[str, Form(max_length=256)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    user = portal.require_user()
    try:
        if confirm != "yes":
            raise ValidationFailed(NOT_CONFIRMED)
        service.erase(portal.db, user=user, password=password)
    except DomainError as error:
        portal.db.rollback()
        return _page(portal, error.detail, status=error.status)
    portal.user = None
    portal.flash("success", N_("Your account has been deleted and your personal data removed."))
    response = portal.redirect("/")
    cookies.clear_login(response)
    return response
