"""Dates as the platform's users see them: deadlines are days in Shanghai."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PLATFORM_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(PLATFORM_TZ).date()
