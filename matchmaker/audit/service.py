"""Write, read, export and purge audit events; writing joins the caller's transaction."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from matchmaker import policy
from matchmaker.audit import actions
from matchmaker.audit.context import client_ip
from matchmaker.audit.models import AuditEvent
from matchmaker.db import utcnow
from matchmaker.errors import Forbidden
from matchmaker.policy import Actor

Target = tuple[str, str]  # (target_type, target_id)
CSV_COLUMNS = ("id", "at", "actor_user_id", "actor_role", "action", "target_type", "target_id",
               "ip", "details")  # fmt: skip


def record(
    db: Session,
    actor: Actor,
    action: str,
    target: Target,
    details: dict[str, Any] | None = None,
    request: Request | None = None,
) -> AuditEvent:
    """Add one event to the session; it is saved (or rolled back) with the caller's work."""
    ip = request.client.host if request is not None and request.client else client_ip.get()
    event = AuditEvent(
        at=utcnow(),
        actor_user_id=actor.id if actor is not None else None,
        actor_role=actor.role.value if actor is not None else "anonymous",
        action=action,
        target_type=target[0],
        target_id=str(target[1])[:64],
        details=details or {},
        ip=ip,
    )
    db.add(event)
    return event


def record_now(
    db: Session,
    actor: Actor,
    action: str,
    target: Target,
    details: dict[str, Any] | None = None,
) -> None:
    """Record and commit at once, for reads and refusals that have no transaction to join."""
    record(db, actor, action, target, details)
    db.commit()


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor_user_id: str | None = None
    target_user_id: str | None = None  # events done by or to this user
    since: datetime | None = None
    until: datetime | None = None


def _query(filters: AuditFilters) -> Select[AuditEvent]:
    statement = select(AuditEvent)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.actor_user_id:
        statement = statement.where(AuditEvent.actor_user_id == filters.actor_user_id)
    if filters.target_user_id:
        user_id = filters.target_user_id
        statement = statement.where(
            (AuditEvent.actor_user_id == user_id)
            | ((AuditEvent.target_type == "user") & (AuditEvent.target_id == user_id))
        )
    if filters.since:
        statement = statement.where(AuditEvent.at >= filters.since)
    if filters.until:
        statement = statement.where(AuditEvent.at < filters.until)
    return statement


def _admin_only(actor: Actor) -> None:
    if not policy.is_admin(actor):
        raise Forbidden("only admins read the audit log")


def listing(
    db: Session, *, actor: Actor, filters: AuditFilters, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and how many match in all."""
    _admin_only(actor)
    statement = _query(filters)
    total = db.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.scalars(
        statement.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def about_user(db: Session, user_id: str) -> list[AuditEvent]:
    """Every event the user did or that was done to their account (for their own data page)."""
    statement = _query(AuditFilters(target_user_id=user_id)).order_by(AuditEvent.id)
    return list(db.scalars(statement).all())


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor_user_id": event.actor_user_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "details": event.details,
        "ip": event.ip,
    }


def csv_rows(db: Session, filters: AuditFilters) -> Iterator[str]:
    """The matching events as CSV text, oldest first, streamed in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    statement = _query(filters).order_by(AuditEvent.id).execution_options(yield_per=500)
    for event in db.scalars(statement):
        row = as_dict(event)
        row["details"] = json.dumps(event.details, ensure_ascii=False, sort_keys=True)
        writer.writerow([row[column] for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def export_csv(db: Session, *, actor: Actor, filters: AuditFilters) -> str:
    """The whole filtered log as CSV for an admin; the export itself is audited."""
    _admin_only(actor)
    text = "".join(csv_rows(db, filters))
    record(db, actor, actions.AUDIT_EXPORTED, ("audit", "csv"), _described(filters))
    db.commit()
    return text


def _described(filters: AuditFilters) -> dict[str, Any]:
    return {
        "action": filters.action,
        "actor": filters.actor_user_id,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
    }


def purge(db: Session, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete events older than the retention period (0 keeps them forever): the only deletion.

    A bulk DELETE bypasses the ORM's append-only guard on purpose; the purge leaves an event
    saying how many it removed.
    """
    if retention_days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    result = db.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    removed = int(getattr(result, "rowcount", 0) or 0)
    details = {"removed": removed, "before": cutoff.isoformat(), "retention_days": retention_days}
    record(db, None, actions.AUDIT_PURGED, ("audit", "retention"), details)
    db.commit()
    return removed


def _plain(value: object) -> object:
    return getattr(value, "value", value)


def record_change(
    db: Session, actor: Actor, target: Target, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Record which fields an admin changed on a user: a role change is its own action."""
    changed = {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }
    if not changed:
        return
    action = actions.USER_ROLE_CHANGED if "role" in changed else actions.USER_UPDATED
    record(db, actor, action, target, {"changed": changed})
