"""The inbox page: notifications in the reader's language, marked read on request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from matchmaker.deps import csrf_form
from matchmaker.notifications import service
from matchmaker.notifications.texts import shown
from matchmaker.portal import PortalDep

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def inbox(portal: PortalDep) -> Response:
    user = portal.require_user()
    items = [shown(n, portal.locale) for n in service.inbox(portal.db, user=user)]
    return portal.render("notifications/inbox.html", {"items": items})


@router.post("/inbox/read", dependencies=[Depends(csrf_form)])
def mark_read(portal: PortalDep, id: Annotated[int | None, Form()] = None) -> Response:
    user = portal.require_user()
    service.mark_read(portal.db, user=user, notification_id=id)
    return portal.redirect("/inbox")


@router.post("/inbox/{notification_id}/open", dependencies=[Depends(csrf_form)])
def open_notification(portal: PortalDep, notification_id: int) -> Response:
    """Mark one notification read and follow its link."""
    user = portal.require_user()
    items = {n.id: n for n in service.inbox(portal.db, user=user, limit=500)}
    service.mark_read(portal.db, user=user, notification_id=notification_id)
    target = items[notification_id].link if notification_id in items else "/inbox"
    return portal.redirect(target)
