"""The signing wall for a venue's big screen, fed by Server-Sent Events.

Organiser-only: the wall shows parties and amounts, so it is opened by an event's organiser
(any organiser for the platform-wide /wall) or an admin in a logged-in browser that drives
the screen; there is no anonymous wall. Agreements drafted from an event meeting, or from
an introduction between a need and an SME that both take part in an event, belong to that
event's wall; every signing also shows on /wall.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from matchmaker import policy
from matchmaker.agreements import wall
from matchmaker.errors import Forbidden, NotFound
from matchmaker.events.models import Event
from matchmaker.i18n import N_
from matchmaker.portal import Portal, PortalDep

router = APIRouter(include_in_schema=False)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
After = Annotated[int, Query(ge=0)]  # the newest ledger entry the page already shows


def _event(portal: Portal, event_id: str | None) -> Event | None:
    """The wall's event (None: the platform wall), if the user may watch it."""
    user = portal.require_user()
    event = None
    if event_id is not None:
        event = portal.db.get(Event, event_id)
        if event is None:
            raise NotFound(f"event {event_id!r} does not exist")
    if not policy.can_view_wall(user, event):
        raise Forbidden(N_("the signing wall is for the event's organiser and admins"))
    return event


def _page(portal: Portal, event: Event | None) -> Response:
    event_id = event.id if event is not None else None
    raws = wall.recent(portal.db, event_id)
    counted = wall.totals(portal.db, event_id)
    after = max((wall.seq_of(raw) for raw in raws), default=0)
    base = f"/events/{event_id}/wall" if event_id else "/wall"
    context = {
        "event": event,
        "shown": [wall.display(raw, portal.locale) for raw in raws],
        "totals": counted,
        "total": wall.amount_text(counted.amount_wan, portal.locale),
        "stream": f"{base}/stream?after={after}",
    }
    return portal.render("agreements/wall.html", context)


def _stream(portal: Portal, request: Request, event: Event | None, after: int) -> Response:
    """Subscribe first, then read what was missed, so nothing falls between the two."""
    event_id = event.id if event is not None else None
    subscription = request.app.state.bus.subscribe(wall.topic(event_id))
    seen = request.headers.get("last-event-id", "")
    replay = wall.missed(portal.db, event_id, int(seen) if seen.isdigit() else after)
    portal.db.close()  # hand the connection back: the stream may stay open for minutes
    body = wall.stream(subscription, portal.locale, request.is_disconnected, replay)
    return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/wall")
def platform_wall(portal: PortalDep) -> Response:
    return _page(portal, _event(portal, None))


@router.get("/wall/stream")
def platform_wall_stream(portal: PortalDep, request: Request, after: After = 0) -> Response:
    return _stream(portal, request, _event(portal, None), after)


@router.get("/events/{event_id}/wall")
def event_wall(portal: PortalDep, event_id: str) -> Response:
    return _page(portal, _event(portal, event_id))


@router.get("/events/{event_id}/wall/stream")
def event_wall_stream(
    portal: PortalDep, request: Request, event_id: str, after: After = 0
) -> Response:
    return _stream(portal, request, _event(portal, event_id), after)
