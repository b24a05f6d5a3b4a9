"""The admin's audit log page and its CSV download (the download is itself audited)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matchmaker.audit import actions, filters, service
from matchmaker.portal import PortalDep

router = APIRouter(prefix="/admin", include_in_schema=False)
PER_PAGE = 50
Text = Annotated[str, Query(max_length=200)]


@router.get("/audit")
def audit_log(
    portal: PortalDep, action: Text = "", actor: Text = "", since: Text = "", until: Text = "",
    page: Text = "1",
) -> Response:  # fmt: skip
    user = portal.require_user()
    values = {"action": action, "actor": actor, "since": since, "until": until}
    number = min(max(int(page) if page.isdigit() else 1, 1), 100_000)
    chosen = filters.from_query(**values)
    rows, total = service.listing(
        portal.db, actor=user, filters=chosen, page=number, per_page=PER_PAGE
    )
    kept = {name: value for name, value in values.items() if value}
    context = {
        "rows": rows,
        "total": total,
        "page": number,
        "per_page": PER_PAGE,
        "values": values,
        "labels": actions.LABELS,
        "csv_url": "/admin/audit.csv" + (f"?{urlencode(kept)}" if kept else ""),
        "page_url": lambda n: f"/admin/audit?{urlencode({**kept, 'page': n})}",
    }
    return portal.render("audit/log.html", context)


@router.get("/audit.csv")
def audit_csv(
    portal: PortalDep, action: Text = "", actor: Text = "", since: Text = "", until: Text = ""
) -> Response:
    user = portal.require_user()
    chosen = filters.from_query(action, actor, since, until)
    text = service.export_csv(portal.db, actor=user, filters=chosen)
    return Response(
        "\ufeff" + text,  # a BOM so Excel reads the Chinese text as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit.csv"',
            "Cache-Control": "no-store",
        },
    )
