"""Need pages: a firm's list, the need form, the need page and its lifecycle actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response
from sqlalchemy import select

from matchmaker import policy
from matchmaker.deps import csrf_form
from matchmaker.enterprises import service as enterprises
from matchmaker.errors import DomainError, Forbidden
from matchmaker.fields import CloseReason, NeedStatus, NeedType, ProfileStatus, Role
from matchmaker.forms import FormState, record_domain_error
from matchmaker.i18n import N_
from matchmaker.introductions import service as introductions
from matchmaker.introductions.models import Introduction
from matchmaker.labels import choices
from matchmaker.needs import forms, service
from matchmaker.needs.models import Need
from matchmaker.needs.schemas import NeedCreate, NeedFields
from matchmaker.notifications.matches import notify_strong_matches
from matchmaker.portal import Portal, PortalDep
from matchmaker.profiles.form import segment_groups
from matchmaker.profiles.models import CapabilityProfile

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_form)]
CLOSE_REASONS = [(r.value, r) for r in (CloseReason.FILLED, CloseReason.WITHDRAWN)]


@router.get("/my/needs")
def my_needs(portal: PortalDep) -> Response:
    user = portal.require_user()
    if user.role is not Role.FIRM or user.enterprise_id is None:
        raise Forbidden("this page lists the needs of a large enterprise's members")
    rows = portal.db.scalars(
        select(Need)
        .where(Need.enterprise_id == user.enterprise_id)
        .order_by(Need.updated_at.desc())
    ).all()
    by_status = {status: [n for n in rows if n.status is status] for status in NeedStatus}
    return portal.render("needs/mine.html", {"by_status": by_status})


def _form_page(
    portal: Portal, state: FormState, need: Need | None = None, status: int = 200
) -> Response:
    types = [("", portal._("Choose…"))]
    types += [(value, portal._(label)) for value, label in choices(NeedType)]
    graph = portal.request.app.state.matching.chain_graph
    context = {
        "form": state,
        "need": need,
        "types": types,
        "segment_groups": segment_groups(graph, portal.locale),
    }
    return portal.render("needs/form.html", context, status=status)


@router.get("/needs/new")
def new_need(portal: PortalDep) -> Response:
    user = portal.require_user()
    if not (policy.is_admin(user) or user.role is Role.FIRM):
        raise Forbidden("only members of a large enterprise post needs")
    return _form_page(portal, FormState(values=forms.values_of(None)))


@router.post("/needs/new", dependencies=CSRF)
async def create_need(portal: PortalDep) -> Response:
    user = portal.require_user()
    form = await portal.request.form()
    state = FormState(values=forms.submitted(form))
    data = forms.to_create(state.values, form.get("action") == "publish", state, portal.locale)
    if data is None:
        return _form_page(portal, state, status=422)
    try:
        need = service.create(portal.db, actor=user, data=data)
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        record_domain_error(error, state, portal.locale)
        return _form_page(portal, state, status=422)
    if data.publish:
        _alert(portal, need.id)
    portal.flash("success", N_("Need published.") if data.publish else N_("Draft saved."))
    return portal.redirect(f"/needs/{need.id}")


@router.get("/needs/{need_id}/edit")
def edit_need(portal: PortalDep, need_id: str) -> Response:
    need = _editable(portal, need_id)
    return _form_page(portal, FormState(values=forms.values_of(need)), need)


@router.post("/needs/{need_id}/edit", dependencies=CSRF)
async def update_need(portal: PortalDep, need_id: str) -> Response:
    need = _editable(portal, need_id)
    state = FormState(values=forms.submitted(await portal.request.form()))
    patch = forms.to_update(state.values, state, portal.locale)
    if patch is None:
        return _form_page(portal, state, need, status=422)
    try:
        service.update_need(portal.db, actor=portal.user, need_id=need.id, patch=patch)
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        portal.db.rollback()
        record_domain_error(error, state, portal.locale)
        return _form_page(portal, state, need, status=422)
    portal.flash("success", N_("Changes saved."))
    return portal.redirect(f"/needs/{need.id}")


def _editable(portal: Portal, need_id: str) -> Need:
    user = portal.require_user()
    need = service.get(portal.db, actor=user, need_id=need_id)
    if not policy.can_edit_need(user, need):
        raise Forbidden("only members of the posting enterprise may edit this need")
    return need


@router.get("/needs/{need_id}")
def show_need(portal: PortalDep, need_id: str) -> Response:
    need = service.get(portal.db, actor=portal.user, need_id=need_id)
    db, user = portal.db, portal.user
    context: dict[str, Any] = {
        "need": need,
        "firm": enterprises.get(db, enterprise_id=need.enterprise_id),
        "full": introductions.unlocks_full_need(db, actor=user, need=need),
        "can_edit": policy.can_edit_need(user, need),
        "can_see_matches": policy.can_see_matches(user, need),
        "contact": enterprises.contact_shown(
            db, actor=user, enterprise_id=need.enterprise_id, where={"in": "need", "id": need.id}
        ),
        "close_reasons": CLOSE_REASONS,
        "answerable": [],
        "mine": [],
    }
    if user is not None and user.role is Role.SME and user.enterprise_id is not None:
        context["mine"] = _own_introductions(portal, need, user.enterprise_id)
        answered = {intro.profile_id for intro, _ in context["mine"]}
        context["answerable"] = [
            p
            for p in db.scalars(
                select(CapabilityProfile).where(
                    CapabilityProfile.enterprise_id == user.enterprise_id,
                    CapabilityProfile.status == ProfileStatus.PUBLISHED,
                )
            )
            if p.id not in answered
        ]
    return portal.render("needs/show.html", context)


def _own_introductions(
    portal: Portal, need: Need, enterprise_id: str
) -> list[tuple[Introduction, CapabilityProfile]]:
    rows = portal.db.execute(
        select(Introduction, CapabilityProfile)
        .join(CapabilityProfile, CapabilityProfile.id == Introduction.profile_id)
        .where(Introduction.need_id == need.id, CapabilityProfile.enterprise_id == enterprise_id)
    ).all()
    return [(intro, profile) for intro, profile in rows]


@router.post("/needs/{need_id}/publish", dependencies=CSRF)
def publish_need(portal: PortalDep, need_id: str) -> Response:
    return _lifecycle(portal, need_id, N_("Need published."), service.publish)


@router.post("/needs/{need_id}/reopen", dependencies=CSRF)
def reopen_need(portal: PortalDep, need_id: str) -> Response:
    return _lifecycle(portal, need_id, N_("Need reopened."), service.reopen)


@router.post("/needs/{need_id}/close", dependencies=CSRF)
def close_need(
    portal: PortalDep, need_id: str, reason: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    user = portal.require_user()
    if reason not in {value for value, _ in CLOSE_REASONS}:
        portal.flash("error", N_("Choose why the need is closed."))
        return portal.redirect(f"/needs/{need_id}")
    try:
        service.close(portal.db, actor=user, need_id=need_id, reason=CloseReason(reason))
    except DomainError as error:
        return portal.refused(f"/needs/{need_id}", error)
    portal.flash("success", N_("Need closed."))
    return portal.redirect(f"/needs/{need_id}")


@router.post("/needs/{need_id}/duplicate", dependencies=CSRF)
def duplicate_need(portal: PortalDep, need_id: str) -> Response:
    need = _editable(portal, need_id)
    fields = {name: getattr(need, name) for name in NeedFields.model_fields}
    fields["title"] = portal._("Copy of %(title)s", title=need.title)[:200]
    fields["deadline"] = None
    copy = service.create(
        portal.db,
        actor=portal.user,
        data=NeedCreate(**fields, enterprise_id=need.enterprise_id, publish=False),
    )
    portal.flash("success", N_("A draft copy was created; check it and publish it."))
    return portal.redirect(f"/needs/{copy.id}/edit")


def _alert(portal: Portal, need_id: str) -> None:
    notify_strong_matches(portal.db, portal.request.app.state.matching, need_id)


def _lifecycle(portal: Portal, need_id: str, done: str, action: Any) -> Response:
    user = portal.require_user()
    try:
        action(portal.db, actor=user, need_id=need_id)
    except DomainError as error:
        return portal.refused(f"/needs/{need_id}", error)
    _alert(portal, need_id)
    portal.flash("success", done)
    return portal.redirect(f"/needs/{need_id}")
