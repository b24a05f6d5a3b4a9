"""The candidate page of a need: ranked SMEs, filters, chain pictures, decisions, invitations."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import Response

from matchmaker.deps import csrf_form
from matchmaker.errors import DomainError
from matchmaker.fields import Decision, DismissReason
from matchmaker.i18n import N_
from matchmaker.introductions import service as introductions
from matchmaker.labels import choices
from matchmaker.matching.rankings import Rankings
from matchmaker.needs.candidates import CandidateFilters, candidates, contacts_shown
from matchmaker.portal import PortalDep
from matchmaker.shortlists import service as shortlists

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_form)]
Text = Annotated[str, Form(max_length=2000)]
PAGE_SIZE = 20


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("/needs/{need_id}/candidates")
def candidate_page(
    portal: PortalDep,
    need_id: str,
    district: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    certification: Annotated[str | None, Query(max_length=200)] = None,
    min_score: Annotated[int, Query(ge=0, le=100)] = 0,
    show: Annotated[str | None, Query(pattern="^(all|shortlisted)$")] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
) -> Response:
    user = portal.require_user()
    filters = CandidateFilters(
        district=_blank(district),
        tag=_blank(tag),
        certification=_blank(certification),
        min_score=min_score,
        show_dismissed=show == "all",
        shortlisted_only=show == "shortlisted",
    )
    rankings: Rankings = portal.request.app.state.rankings
    listing = candidates(portal.db, rankings, actor=user, need_id=need_id, filters=filters)
    reasons = [(value, portal._(text)) for value, text in choices(DismissReason)]
    query = {k: v for k, v in portal.request.query_params.items() if k != "page"}

    def url_for_page(number: int) -> str:
        return f"/needs/{need_id}/candidates?" + urlencode({**query, "page": number})

    start = (page - 1) * PAGE_SIZE
    shown = listing.rows[start : start + PAGE_SIZE]
    contacts_shown(portal.db, actor=user, need_id=need_id, rows=shown)
    context = {
        "page_rows": shown,
        "page": page,
        "page_size": PAGE_SIZE,
        "url_for_page": url_for_page,
        "listing": listing,
        "need": listing.need,
        "filters": filters,
        "show": show or "",
        "dismiss_reasons": reasons,
    }
    template = "needs/_candidates.html" if "hx-request" in portal.request.headers else None
    return portal.render(template or "needs/candidates.html", context)


@router.post("/needs/{need_id}/candidates/{profile_id}/decision", dependencies=CSRF)
def decide(
    portal: PortalDep,
    need_id: str,
    profile_id: str,
    decision: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=40)] = "",
    note: Text = "",
    score: Annotated[float | None, Form(ge=0, le=100)] = None,
) -> Response:
    user = portal.require_user()
    back = f"/needs/{need_id}/candidates"
    try:
        if decision == "undo":
            shortlists.undo(portal.db, actor=user, need_id=need_id, profile_id=profile_id)
        else:
            shortlists.decide(
                portal.db,
                actor=user,
                need_id=need_id,
                profile_id=profile_id,
                decision=Decision(decision),
                reason=DismissReason(reason) if reason else None,
                note=note,
                score=score,
            )
    except ValueError:
        portal.flash("error", N_("Choose one of the options."))
        return portal.redirect(back)
    except DomainError as error:
        return portal.refused(back, error)
    done = {"shortlisted": N_("Added to the shortlist."), "dismissed": N_("Candidate dismissed.")}
    portal.flash("success", done.get(decision, N_("Decision undone.")))
    return portal.redirect(back)


@router.post("/needs/{need_id}/candidates/{profile_id}/invite", dependencies=CSRF)
def invite(portal: PortalDep, need_id: str, profile_id: str, message: Text = "") -> Response:
    user = portal.require_user()
    back = f"/needs/{need_id}/candidates"
    try:
        introductions.invite(
            portal.db, actor=user, need_id=need_id, profile_id=profile_id, message=message
        )
    except DomainError as error:
        return portal.refused(back, error)
    portal.flash("success", N_("Invitation sent."))
    return portal.redirect(back)
