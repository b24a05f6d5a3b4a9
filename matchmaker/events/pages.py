"""Event pages: list, create and edit, the event page, participants and invitations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from matchmaker import policy
from matchmaker.deps import csrf_form
from matchmaker.errors import DomainError, Forbidden
from matchmaker.events import invitations, participants, service
from matchmaker.events.forms import event_form_values, submitted, to_data
from matchmaker.events.models import Event
from matchmaker.fields import EventStatus, ProfileStatus, Role
from matchmaker.forms import FormState, record_domain_error
from matchmaker.i18n import N_
from matchmaker.portal import Portal, PortalDep
from matchmaker.profiles.models import CapabilityProfile

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_form)]
MAX_LIST_BYTES = 2_000_000


@router.get("/events")
def list_events(portal: PortalDep) -> Response:
    user = portal.require_user()
    events = service.list_events(portal.db, actor=user)
    context = {"events": events, "can_create": policy.can_create_event(user)}
    return portal.render("events/list.html", context)


def _form(portal: Portal, state: FormState, event: Event | None, status: int = 200) -> Response:
    graph = portal.request.app.state.matching.chain_graph
    chains = [(c.id, c.name_en if portal.locale == "en" else c.name) for c in graph.chains.values()]
    context = {"form": state, "event": event, "chains": chains}
    return portal.render("events/form.html", context, status=status)


@router.get("/events/new")
def new_event(portal: PortalDep) -> Response:
    if not policy.can_create_event(portal.require_user()):
        raise Forbidden("only organisers and admins create events")
    return _form(portal, FormState(values=event_form_values(None)), None)


@router.post("/events/new", dependencies=CSRF)
async def create_event(portal: PortalDep) -> Response:
    user = portal.require_user()
    state = FormState(values=submitted(await portal.request.form()))
    data = to_data(state, portal.locale)
    if data is None:
        return _form(portal, state, None, status=422)
    event = service.create(portal.db, actor=user, data=data)
    portal.flash("success", N_("Event created as a draft. Invite participants, then publish it."))
    return portal.redirect(f"/events/{event.id}")


@router.get("/events/{event_id}/edit")
def edit_event(portal: PortalDep, event_id: str) -> Response:
    event = service.managed(portal.db, actor=portal.require_user(), event_id=event_id)
    return _form(portal, FormState(values=event_form_values(event)), event)


@router.post("/events/{event_id}/edit", dependencies=CSRF)
async def update_event(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    event = service.managed(portal.db, actor=user, event_id=event_id)
    state = FormState(values=submitted(await portal.request.form()))
    data = to_data(state, portal.locale)
    if data is None:
        return _form(portal, state, event, status=422)
    try:
        service.update(portal.db, actor=user, event_id=event.id, data=data)
    except DomainError as error:
        record_domain_error(error, state, portal.locale)
        return _form(portal, state, event, status=422)
    portal.flash("success", N_("Changes saved."))
    return portal.redirect(f"/events/{event.id}")


@router.post("/events/{event_id}/status", dependencies=CSRF)
def change_status(
    portal: PortalDep, event_id: str, status: Annotated[str, Form(max_length=20)]
) -> Response:
    user = portal.require_user()
    try:
        service.set_status(portal.db, actor=user, event_id=event_id, status=EventStatus(status))
    except ValueError:
        portal.flash("error", N_("Choose one of the options."))
        return portal.redirect(f"/events/{event_id}")
    except DomainError as error:
        return portal.refused(f"/events/{event_id}", error)
    portal.flash("success", N_("Event status changed."))
    return portal.redirect(f"/events/{event_id}")


@router.get("/events/{event_id}")
def show_event(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    db = portal.db
    event = service.get(db, actor=user, event_id=event_id)
    needs = participants.needs_of(db, event)
    smes = participants.smes_of(db, event)
    context: dict[str, Any] = {
        "event": event,
        "manage": policy.can_manage_event(user, event),
        "slots": participants.slot_times(event),
        "needs": needs,
        "smes": smes,
        "my_needs": [n for n in needs if policy.can_edit_need(user, n.need)],
        "my_sme": next((s for s in smes if policy.is_member(user, s.row.enterprise_id)), None),
        "profiles": [],
    }
    if user.role is Role.SME and context["my_sme"] is None:
        context["profiles"] = db.scalars(
            select(CapabilityProfile).where(
                CapabilityProfile.enterprise_id == user.enterprise_id,
                CapabilityProfile.status == ProfileStatus.PUBLISHED,
            )
        ).all()
    return portal.render("events/show.html", context)


@router.post("/events/{event_id}/respond", dependencies=CSRF)
def respond(
    portal: PortalDep,
    event_id: str,
    answer: Annotated[str, Form(pattern="^(accept|decline)$")],
    need_id: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    user = portal.require_user()
    accept = answer == "accept"
    try:
        if need_id:
            service.respond_need(
                portal.db, actor=user, event_id=event_id, need_id=need_id, accept=accept
            )
        else:
            service.respond_sme(portal.db, actor=user, event_id=event_id, accept=accept)
    except DomainError as error:
        return portal.refused(f"/events/{event_id}", error)
    portal.flash("success", N_("Thank you, your answer is recorded."))
    return portal.redirect(f"/events/{event_id}")


@router.post("/events/{event_id}/unavailable", dependencies=CSRF)
async def set_unavailable(portal: PortalDep, event_id: str) -> Response:
    form = await portal.request.form()
    need_id = str(form.get("need_id") or "") or None
    try:
        slots = [int(str(value)) for value in form.getlist("slot")]
        service.set_unavailable(
            portal.db, actor=portal.require_user(), event_id=event_id, slots=slots, need_id=need_id
        )
    except ValueError:
        portal.flash("error", N_("Choose one of the options."))
        return portal.redirect(f"/events/{event_id}")
    except DomainError as error:
        return portal.refused(f"/events/{event_id}", error)
    portal.flash("success", N_("Your unavailable rounds are saved; the schedule avoids them."))
    return portal.redirect(f"/events/{event_id}")


@router.post("/events/{event_id}/apply", dependencies=CSRF)
def apply(
    portal: PortalDep,
    event_id: str,
    profile_id: Annotated[str, Form(max_length=64)],
    message: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    user = portal.require_user()
    try:
        service.apply(
            portal.db, actor=user, event_id=event_id, profile_id=profile_id, message=message
        )
    except DomainError as error:
        return portal.refused(f"/events/{event_id}", error)
    portal.flash("success", N_("Application sent. The organiser will answer it."))
    return portal.redirect(f"/events/{event_id}")


@router.get("/events/{event_id}/participants")
def participant_page(portal: PortalDep, event_id: str) -> Response:
    event = service.managed(portal.db, actor=portal.require_user(), event_id=event_id)
    context = {
        "event": event,
        "needs": participants.needs_of(portal.db, event),
        "smes": participants.smes_of(portal.db, event),
    }
    return portal.render("events/participants.html", context)


@router.post("/events/{event_id}/invite", dependencies=CSRF)
def invite(
    portal: PortalDep,
    event_id: str,
    need_ids: Annotated[str, Form(max_length=20_000)] = "",
    profile_ids: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    back = f"/events/{event_id}/participants"
    try:
        done = service.invite(
            portal.db,
            actor=portal.require_user(),
            event_id=event_id,
            need_ids=need_ids.split(),
            profile_ids=profile_ids.split(),
        )
    except DomainError as error:
        return portal.refused(back, error)
    return _invited(portal, back, done)


@router.post("/events/{event_id}/invite/matching", dependencies=CSRF)
def invite_matching(
    portal: PortalDep, event_id: str, min_score: Annotated[int, Form(ge=0, le=100)] = 45
) -> Response:
    back = f"/events/{event_id}/participants"
    matching = portal.request.app.state.matching
    try:
        done = invitations.invite_by_matching(
            portal.db, matching, actor=portal.require_user(), event_id=event_id, min_score=min_score
        )
    except DomainError as error:
        return portal.refused(back, error)
    return _invited(portal, back, done)


@router.post("/events/{event_id}/invite/file", dependencies=CSRF)
async def invite_file(portal: PortalDep, event_id: str, file: UploadFile) -> Response:
    back = f"/events/{event_id}/participants"
    data = await file.read(MAX_LIST_BYTES + 1)
    try:
        if len(data) > MAX_LIST_BYTES:
            raise DomainError("the list is larger than 2 MB; split it")
        done = invitations.invite_from_list(
            portal.db,
            actor=portal.require_user(),
            event_id=event_id,
            name=file.filename or "list",
            data=data,
        )
    except DomainError as error:
        return portal.refused(back, error)
    return _invited(portal, back, done)


def _invited(portal: Portal, back: str, done: service.Invited) -> Response:
    text = portal._(
        "Invited %(needs)s needs and %(smes)s SMEs; %(skipped)s already taking part.",
        needs=done.needs,
        smes=done.smes,
        skipped=done.skipped,
    )
    portal.flash("success", text)
    return portal.redirect(back)


@router.post("/events/{event_id}/applications/{enterprise_id}", dependencies=CSRF)
def review_application(
    portal: PortalDep,
    event_id: str,
    enterprise_id: str,
    answer: Annotated[str, Form(pattern="^(approve|reject)$")],
) -> Response:
    back = f"/events/{event_id}/participants"
    try:
        service.review(
            portal.db,
            actor=portal.require_user(),
            event_id=event_id,
            enterprise_id=enterprise_id,
            approve=answer == "approve",
        )
    except DomainError as error:
        return portal.refused(back, error)
    portal.flash("success", N_("Application answered."))
    return portal.redirect(back)
