"""Send, list and read notifications; senders name a kind and parameters, never text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.db import utcnow
from matchmaker.notifications.models import Notification

KINDS = (
    "invitation",
    "answer",
    "introduction_accepted",
    "introduction_declined",
    "need_changed",
    "strong_match",
    "account_confirmed",
    "event_invitation",
    "event_application",
    "event_approved",
    "agreement_drafted",
    "agreement_approved",
    "agreement_signed",
    "event_rejected",
    "meeting_requested",
    "meeting_proposed",
    "meeting_accepted",
    "meeting_declined",
    "meeting_cancelled",
    "agenda_updated",
)


def notify_users(db: Session, user_ids: Iterable[str], kind: str, link: str, **params: Any) -> int:
    """Queue one notification per user in the caller's transaction (no commit here)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    count = 0
    for user_id in dict.fromkeys(user_ids):
        db.add(Notification(user_id=user_id, kind=kind, link=link, params=params))
        count += 1
    return count


def notify_enterprise(db: Session, enterprise_id: str, kind: str, link: str, **params: Any) -> int:
    """Every active member of the enterprise hears about it."""
    members = db.scalars(
        select(User.id).where(User.enterprise_id == enterprise_id, User.is_active.is_(True))
    )
    return notify_users(db, members, kind, link, **params)


def unread_count(db: Session, *, user: User) -> int:
    statement = select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return int(db.scalar(statement) or 0)


def inbox(db: Session, *, user: User, limit: int = 100) -> list[Notification]:
    statement = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.scalars(statement))


def mark_read(db: Session, *, user: User, notification_id: int | None = None) -> int:
    """Mark one notification, or all of them, as read; only the user's own are touched."""
    statement = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    result = db.execute(statement.values(read_at=utcnow()))
    db.commit()
    return int(getattr(result, "rowcount", 0) or 0)
