"""Downloads for organisers: an event's shortlists and schedule, and its signing run-sheet.

Session cookies and API tokens both work. The files carry contact details, so they are
sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter
from fastapi.responses import Response

from matchmaker.errors import NotFound
from matchmaker.events import exports
from matchmaker.exports import RUN_SHEETS, SHORTLISTS
from matchmaker.exports.base import EventHeader, Exporter, Registry, content_disposition
from matchmaker.portal import PortalDep

router = APIRouter(include_in_schema=False)
D = TypeVar("D")


def _exporter(registry: Registry[D], fmt: str) -> Exporter[D]:
    exporter = registry.get(fmt)
    if exporter is None:
        formats = ", ".join(registry.formats)
        raise NotFound(f"no {registry.kind} export as {fmt!r}; choose one of {formats}")
    return exporter


def _download(exporter: Exporter[D], data: D, event: EventHeader) -> Response:
    fallback = f"{event.id}-{exporter.identifier}"
    return Response(
        exporter.render(data),
        media_type=exporter.content_type,
        headers={
            "Content-Disposition": content_disposition(exporter.filename(event), fallback),
            "Cache-Control": "no-store",
        },
    )


@router.get("/events/{event_id}/export/shortlists.{fmt}")
def shortlists_download(event_id: str, fmt: str, portal: PortalDep) -> Response:
    """Every need's shortlist with reasons, meetings and permitted contacts: xlsx, csv, pdf."""
    user = portal.require_user()
    exporter = _exporter(SHORTLISTS, fmt)
    data = exports.shortlists(portal.db, actor=user, event_id=event_id)
    return _download(exporter, data, data.event)


@router.get("/events/{event_id}/export/runsheet.{fmt}")
def run_sheet_download(event_id: str, fmt: str, portal: PortalDep) -> Response:
    """The signing run-sheet (签约清单): xlsx, pdf."""
    user = portal.require_user()
    exporter = _exporter(RUN_SHEETS, fmt)
    data = exports.run_sheet(portal.db, actor=user, event_id=event_id)
    return _download(exporter, data, data.event)
