"""Meetings at an event: requests and answers, the schedule, agendas, the table plan, reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from matchmaker import policy
from matchmaker.db import utcnow
from matchmaker.deps import csrf_form
from matchmaker.errors import DomainError, FieldError, ValidationFailed
from matchmaker.events import agenda as agendas
from matchmaker.events import agenda_ics, agenda_pdf, meetings, outcomes
from matchmaker.events.meeting_views import (
    for_enterprise,
    for_event,
    get_event,
    get_view,
    request_options,
)
from matchmaker.events.scheduling import UnplacedReason
from matchmaker.fields import MeetingOutcome, MeetingStatus
from matchmaker.i18n import N_, TIMEZONE
from matchmaker.portal import Portal, PortalDep

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_form)]
Text = Annotated[str, Form(max_length=2000)]
Id = Annotated[str, Form(max_length=64)]

STATUS_LABELS = {
    MeetingStatus.REQUESTED: N_("Awaiting answer"),
    MeetingStatus.ACCEPTED: N_("Agreed"),
    MeetingStatus.DECLINED: N_("Declined"),
    MeetingStatus.HELD: N_("Held"),
    MeetingStatus.CANCELLED: N_("Cancelled"),
}
OUTCOME_LABELS = {
    MeetingOutcome.NO_FIT: N_("No fit"),
    MeetingOutcome.FOLLOW_UP: N_("Follow-up agreed"),
    MeetingOutcome.IN_PREPARATION: N_("Agreement in preparation"),
    MeetingOutcome.SIGNED: N_("Agreement signed"),
}
REASON_LABELS = {
    UnplacedReason.UNAVAILABLE: N_("No round in which both sides are available"),
    UnplacedReason.BUSY: N_("One side is busy in every round both can attend"),
    UnplacedReason.NO_TABLE: N_("No table left in the rounds both can attend"),
}
LABELS = {"status": STATUS_LABELS, "outcome": OUTCOME_LABELS, "reason": REASON_LABELS}


def window(start: datetime | None, end: datetime | None) -> str:
    """The hours of a round, like 09:30–09:50, in Shanghai time."""
    if start is None or end is None:
        return ""
    zone = ZoneInfo(TIMEZONE)
    return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"


@router.get("/events/{event_id}/meetings")
def meetings_page(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    event = get_event(portal.db, actor=user, event_id=event_id)
    organiser = policy.can_run_meetings(user, event)
    if organiser:
        views = for_event(portal.db, actor=user, event_id=event.id)
    elif user.enterprise_id is not None:
        views = for_enterprise(
            portal.db, actor=user, event_id=event.id, enterprise_id=user.enterprise_id
        )
    else:
        views = []
    options = request_options(portal.db, actor=user, event_id=event.id)
    context = {
        "event": event,
        "views": views,
        "options": options,
        "need_choices": [(need.id, need.title) for need in options.needs],
        "profile_choices": [(p.id, f"{e.name} · {p.title}") for p, e in options.profiles],
        "organiser": organiser,
        "own": user.enterprise_id,
        "labels": LABELS,
    }
    return portal.render("events/meetings/index.html", context)


@router.post("/events/{event_id}/meetings", dependencies=CSRF)
def request_meeting(
    portal: PortalDep, event_id: str, need_id: Id, profile_id: Id, message: Text = ""
) -> Response:
    user = portal.require_user()
    back = f"/events/{event_id}/meetings"
    try:
        meetings.request(
            portal.db, actor=user, event_id=event_id, need_id=need_id,
            profile_id=profile_id, message=message,
        )  # fmt: skip
    except DomainError as error:
        return portal.refused(back, error)
    portal.flash("success", N_("Meeting request sent. The other side has been notified."))
    return portal.redirect(back)


@router.post("/events/{event_id}/meetings/propose", dependencies=CSRF)
def propose_shortlisted(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    back = f"/events/{event_id}/meetings"
    try:
        created = meetings.propose_shortlisted(portal.db, actor=user, event_id=event_id)
    except DomainError as error:
        return portal.refused(back, error)
    if created:
        portal.flash("success", N_("Shortlisted pairs proposed. Both sides have been asked."))
    else:
        portal.flash("info", N_("Every shortlisted pair already has a meeting."))
    return portal.redirect(back)


def _act(portal: Portal, event_id: str, meeting_id: str, action: str, reason: str = "") -> Response:
    user = portal.require_user()
    back = f"/events/{event_id}/meetings"
    get_view_in_event(portal, event_id, meeting_id)
    try:
        if action == "accept":
            meetings.accept(portal.db, actor=user, meeting_id=meeting_id)
        elif action == "decline":
            meetings.decline(portal.db, actor=user, meeting_id=meeting_id, reason=reason)
        else:
            meetings.cancel(portal.db, actor=user, meeting_id=meeting_id)
    except DomainError as error:
        return portal.refused(back, error)
    done = {
        "accept": N_("Meeting accepted."),
        "decline": N_("Meeting declined."),
        "cancel": N_("Meeting cancelled."),
    }
    portal.flash("success", done[action])
    return portal.redirect(back)


def get_view_in_event(portal: Portal, event_id: str, meeting_id: str) -> None:
    """404 for a meeting of another event, so URLs cannot mix events."""
    get_view(portal.db, actor=portal.user, meeting_id=meeting_id, event_id=event_id)


@router.post("/events/{event_id}/meetings/{meeting_id}/accept", dependencies=CSRF)
def accept(portal: PortalDep, event_id: str, meeting_id: str) -> Response:
    return _act(portal, event_id, meeting_id, "accept")


@router.post("/events/{event_id}/meetings/{meeting_id}/decline", dependencies=CSRF)
def decline(portal: PortalDep, event_id: str, meeting_id: str, reason: Text = "") -> Response:
    return _act(portal, event_id, meeting_id, "decline", reason)


@router.post("/events/{event_id}/meetings/{meeting_id}/cancel", dependencies=CSRF)
def cancel(portal: PortalDep, event_id: str, meeting_id: str) -> Response:
    return _act(portal, event_id, meeting_id, "cancel")


@router.post("/events/{event_id}/meetings/{meeting_id}/held", dependencies=CSRF)
def mark_held(
    portal: PortalDep, event_id: str, meeting_id: str, held: Annotated[str, Form()] = "1"
) -> Response:
    user = portal.require_user()
    back = f"/events/{event_id}/tables"
    get_view_in_event(portal, event_id, meeting_id)
    try:
        outcomes.mark_held(portal.db, actor=user, meeting_id=meeting_id, held=held == "1")
    except DomainError as error:
        return portal.refused(back, error)
    portal.flash("success", N_("Saved."))
    return portal.redirect(back)


@router.post("/events/{event_id}/meetings/{meeting_id}/report", dependencies=CSRF)
def report(
    portal: PortalDep,
    event_id: str,
    meeting_id: str,
    rating: Annotated[str, Form(max_length=2)] = "",
    outcome: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    user = portal.require_user()
    back = f"/events/{event_id}/agenda"
    get_view_in_event(portal, event_id, meeting_id)
    try:
        outcomes.record(
            portal.db, actor=user, meeting_id=meeting_id,
            rating=_rating(rating), outcome=_outcome(outcome),
        )  # fmt: skip
    except DomainError as error:
        return portal.refused(back, error)
    portal.flash("success", N_("Thank you. Your report on the meeting is saved."))
    return portal.redirect(back)


def _rating(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise ValidationFailed("rate from 1 to 5", errors=[FieldError("rating", "from 1 to 5")])
    return int(value)


def _outcome(value: str) -> MeetingOutcome | None:
    if not value:
        return None
    try:
        return MeetingOutcome(value)
    except ValueError:
        raise ValidationFailed(f"unknown outcome {value!r}") from None


@router.post("/events/{event_id}/schedule", dependencies=CSRF)
def run_schedule(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    back = f"/events/{event_id}/tables"
    try:
        result = agendas.schedule(portal.db, actor=user, event_id=event_id)
    except DomainError as error:
        return portal.refused(back, error)
    portal.flash("success", N_("Schedule updated."))
    if result.unplaced:
        portal.flash("info", N_("Some agreed meetings could not be placed; see the list below."))
    return portal.redirect(back)


@router.get("/events/{event_id}/agenda")
def agenda_page(portal: PortalDep, event_id: str, enterprise: str | None = None) -> Response:
    user = portal.require_user()
    agenda = agendas.agenda(portal.db, actor=user, event_id=event_id, enterprise_id=enterprise)
    context = {
        "agenda": agenda,
        "event": agenda.event,
        "windows": {e.view.meeting.id: window(e.start, e.end) for e in agenda.entries},
        "started": utcnow() >= agenda.event.starts_at,
        "reporter": policy.is_member(user, agenda.enterprise.id),
        "query": f"?enterprise={agenda.enterprise.id}" if enterprise else "",
        "labels": LABELS,
    }
    return portal.render("events/meetings/agenda.html", context)


@router.get("/events/{event_id}/agenda.ics")
def agenda_ics_file(portal: PortalDep, event_id: str, enterprise: str | None = None) -> Response:
    user = portal.require_user()
    agenda = agendas.agenda(portal.db, actor=user, event_id=event_id, enterprise_id=enterprise)
    host = portal.request.url.hostname or "matchmaker"
    body = agenda_ics.render(agenda, locale=portal.locale, now=utcnow(), host=host)
    return _download(body, agenda_ics.CONTENT_TYPE, f"agenda-{event_id}.ics")


@router.get("/events/{event_id}/agenda.pdf")
def agenda_pdf_file(portal: PortalDep, event_id: str, enterprise: str | None = None) -> Response:
    user = portal.require_user()
    agenda = agendas.agenda(portal.db, actor=user, event_id=event_id, enterprise_id=enterprise)
    body = agenda_pdf.render(agenda, locale=portal.locale, now=utcnow())
    return _download(body, agenda_pdf.CONTENT_TYPE, f"agenda-{event_id}.pdf")


def _download(body: bytes, content_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=content_type, headers=headers)


@router.get("/events/{event_id}/tables")
def tables_page(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    plan = agendas.table_plan(portal.db, actor=user, event_id=event_id)
    context = {
        "plan": plan,
        "event": plan.event,
        "windows": {r.slot: window(r.start, r.end) for r in plan.rounds},
        "started": utcnow() >= plan.event.starts_at,
        "labels": LABELS,
    }
    return portal.render("events/meetings/tables.html", context)
