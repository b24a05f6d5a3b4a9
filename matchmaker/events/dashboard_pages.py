"""The event dashboard page and its XLSX download, for the event's organiser."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from matchmaker.events import dashboard, outcomes, service
from matchmaker.events.models import EventNeed
from matchmaker.i18n import N_
from matchmaker.needs.models import Need
from matchmaker.portal import Portal, PortalDep

router = APIRouter(include_in_schema=False)
STAGES = (
    ("requested", N_("Requested")),
    ("accepted", N_("Accepted")),
    ("held", N_("Held")),
    ("follow_up", N_("Follow-up")),
    ("in_preparation", N_("Agreement in preparation")),
    ("signed", N_("Signed")),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _board(portal: Portal, event_id: str) -> tuple[dashboard.Board, str]:
    event = service.managed(portal.db, actor=portal.require_user(), event_id=event_id)
    matching = portal.request.app.state.matching
    ids = list(portal.db.scalars(select(EventNeed.need_id).where(EventNeed.event_id == event.id)))
    placed, _ = matching.placements(portal.db, ids)
    data = dashboard.board(portal.db, event, matching.chain_graph, placed, portal.locale)
    return data, event.title


@router.get("/events/{event_id}/dashboard")
def dashboard_page(portal: PortalDep, event_id: str) -> Response:
    data, title = _board(portal, event_id)
    funnel = outcomes.event_funnel(portal.db, actor=portal.user, event_id=event_id)
    rows = portal.db.execute(select(Need.id, Need.title).where(Need.id.in_(funnel.by_need)))
    titles = {str(need_id): str(need_title) for need_id, need_title in rows}
    context = {
        "board": data,
        "event_id": event_id,
        "title": title,
        "top": max([r.meetings for r in data.by_segment] + [1]),
        "peak": max([m + s for _d, m, s in data.by_day] + [1]),
        "funnel": funnel,
        "stages": STAGES,
        "need_titles": titles,
    }
    return portal.render("events/dashboard.html", context)


@router.get("/events/{event_id}/dashboard.xlsx")
def dashboard_xlsx(portal: PortalDep, event_id: str) -> Response:
    data, title = _board(portal, event_id)
    filename = quote(f"{title}-dashboard.xlsx")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(dashboard.workbook(data, title), media_type=XLSX, headers=headers)
