"""The organiser's shortlist page of an event: every need's SMEs, pins, removals, rebuild."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import Response

from matchmaker.deps import csrf_form
from matchmaker.errors import DomainError
from matchmaker.events import shortlists
from matchmaker.i18n import N_
from matchmaker.matching.service import MatchingService
from matchmaker.portal import PortalDep

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_form)]
DECISIONS = {
    "pin": (shortlists.pin, N_("Pinned: this SME stays on the shortlist through every rebuild.")),
    "remove": (
        shortlists.remove,
        N_("Removed from the shortlist. Rebuild the shortlists to fill the place."),
    ),
    "restore": (
        shortlists.restore,
        N_("Decision undone: the next rebuild weighs this SME again."),
    ),
}
Decision = Annotated[str, PathParam(pattern="^(pin|remove|restore)$")]


def _page(event_id: str) -> str:
    return f"/events/{event_id}/shortlists"


@router.get("/events/{event_id}/shortlists")
def shortlist_page(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    overview = shortlists.overview(portal.db, actor=user, event_id=event_id)
    return portal.render("events/shortlists.html", {"overview": overview})


@router.post("/events/{event_id}/shortlists/regenerate", dependencies=CSRF)
def regenerate(portal: PortalDep, event_id: str) -> Response:
    user = portal.require_user()
    matching: MatchingService = portal.request.app.state.matching
    try:
        shortlists.regenerate(portal.db, matching, actor=user, event_id=event_id)
    except DomainError as error:
        return portal.refused(_page(event_id), error)
    portal.flash("success", N_("Shortlists rebuilt."))
    return portal.redirect(_page(event_id))


@router.post("/events/{event_id}/shortlists/{need_id}/{profile_id}/{decision}", dependencies=CSRF)
def decide(
    portal: PortalDep, event_id: str, need_id: str, profile_id: str, decision: Decision
) -> Response:
    user = portal.require_user()
    action, done = DECISIONS[decision]
    try:
        action(portal.db, actor=user, event_id=event_id, need_id=need_id, profile_id=profile_id)
    except DomainError as error:
        return portal.refused(_page(event_id), error)
    portal.flash("success", done)
    return portal.redirect(f"{_page(event_id)}#need-{need_id}")
