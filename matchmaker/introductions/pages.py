"""Answer a need, reply to answers and invitations, and follow every conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.deps import csrf_form
from matchmaker.enterprises import service as enterprises
from matchmaker.errors import DomainError, Forbidden
from matchmaker.i18n import N_
from matchmaker.introductions import service
from matchmaker.needs import service as needs
from matchmaker.portal import Portal, PortalDep

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_form)]
Text = Annotated[str, Form(max_length=2000)]


@router.post("/needs/{need_id}/answer", dependencies=CSRF)
def answer(
    portal: PortalDep,
    need_id: str,
    profile_id: Annotated[str, Form(max_length=64)],
    message: Text = "",
) -> Response:
    user = portal.require_user()
    try:
        service.answer(
            portal.db, actor=user, need_id=need_id, profile_id=profile_id, message=message
        )
    except DomainError as error:
        return portal.refused(f"/needs/{need_id}", error)
    portal.flash("success", N_("Answer sent. The firm has been notified."))
    return portal.redirect(f"/needs/{need_id}")


@router.get("/needs/{need_id}/answers")
def need_answers(portal: PortalDep, need_id: str) -> Response:
    user = portal.require_user()
    need = needs.get(portal.db, actor=user, need_id=need_id)
    rows = service.for_need(portal.db, actor=user, need_id=need.id)
    contacts = _contacts(portal, [row.profile.enterprise_id for row in rows])
    context = {"need": need, "rows": rows, "contacts": contacts}
    return portal.render("introductions/need.html", context)


@router.get("/my/introductions")
def my_introductions(portal: PortalDep) -> Response:
    user = portal.require_user()
    if user.enterprise_id is None:
        raise Forbidden("only members of an enterprise have introductions")
    rows = service.for_enterprise(portal.db, actor=user, enterprise_id=user.enterprise_id)
    contacts = _contacts(
        portal,
        [r.need.enterprise_id if r.profile.enterprise_id == user.enterprise_id
         else r.profile.enterprise_id for r in rows],
    )  # fmt: skip
    return portal.render("introductions/mine.html", {"rows": rows, "contacts": contacts})


@router.post("/introductions/{introduction_id}/accept", dependencies=CSRF)
def accept(portal: PortalDep, introduction_id: str, next: Annotated[str, Form()] = "/") -> Response:
    return _reply(portal, introduction_id, True, None, next)


@router.post("/introductions/{introduction_id}/decline", dependencies=CSRF)
def decline(
    portal: PortalDep, introduction_id: str, reason: Text = "", next: Annotated[str, Form()] = "/"
) -> Response:
    return _reply(portal, introduction_id, False, reason, next)


def _reply(
    portal: Portal, introduction_id: str, accept: bool, reason: str | None, back: str
) -> Response:
    user = portal.require_user()
    try:
        service.respond(
            portal.db, actor=user, introduction_id=introduction_id, accept=accept, reason=reason
        )
    except DomainError as error:
        return portal.refused(back, error)
    portal.flash(
        "success", N_("Accepted: contact details are now shared.") if accept else N_("Declined.")
    )
    return portal.redirect(back)


def _contacts(portal: Portal, enterprise_ids: list[str]) -> dict[str, object]:
    """Contact details of the counterparts the user may see (mutual consent)."""
    shown: dict[str, object] = {}
    for enterprise_id in set(enterprise_ids):
        if enterprises.contact_visible(portal.db, actor=portal.user, enterprise_id=enterprise_id):
            target = ("enterprise", enterprise_id)
            audit.record_now(portal.db, portal.user, actions.CONTACT_VIEWED, target)
            shown[enterprise_id] = enterprises.get(portal.db, enterprise_id=enterprise_id)
    return shown
