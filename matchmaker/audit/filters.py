"""Audit filters from query parameters, shared by the admin page, the CSV and the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from matchmaker.audit.service import AuditFilters
from matchmaker.clock import PLATFORM_TZ


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def from_query(action: str = "", actor: str = "", since: str = "", until: str = "") -> AuditFilters:
    """Dates are whole days in platform time; `until` includes its day. Bad dates are ignored."""
    start, end = _day(since), _day(until)
    return AuditFilters(
        action=action.strip() or None,
        actor_user_id=actor.strip() or None,
        since=datetime.combine(start, time(), PLATFORM_TZ) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(), PLATFORM_TZ) if end else None,
    )
