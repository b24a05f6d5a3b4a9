"""The audit API: admins read the log as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from matchmaker.api import problems
from matchmaker.audit import filters, service
from matchmaker.audit.models import AuditEvent
from matchmaker.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Text = Annotated[str, Query(max_length=200)]


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_user_id: str | None
    actor_role: str
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]
    ip: str | None

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls.model_validate(event, from_attributes=True)


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    total: int
    page: int
    per_page: int


@router.get("", response_model=AuditPage, responses=problems(401, 403))
def audit_log(
    db: SessionDep,
    user: CurrentUser,
    action: Text = "",
    actor: Text = "",
    since: Text = "",
    until: Text = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    """Events newest first; `since`/`until` are dates (YYYY-MM-DD) in platform time."""
    chosen = filters.from_query(action, actor, since, until)
    rows, total = service.listing(db, actor=user, filters=chosen, page=page, per_page=per_page)
    return AuditPage(
        items=[AuditEventOut.of(row) for row in rows], total=total, page=page, per_page=per_page
    )
