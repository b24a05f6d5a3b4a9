"""Collect every record holding the user's personal information, as JSON-ready dicts."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import ApiToken, LoginSession, PasswordReset, User
from matchmaker.agreements.models import (
    Agreement,
    AgreementApproval,
    AgreementComment,
    AgreementSignature,
)
from matchmaker.audit import service as audit
from matchmaker.enterprises.models import Enterprise
from matchmaker.introductions.models import Introduction
from matchmaker.jobs.models import Job
from matchmaker.needs.models import Need
from matchmaker.notifications.models import Notification
from matchmaker.privacy.models import AccountErasure
from matchmaker.profiles.models import CapabilityProfile


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _row(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(record, name)) for name in fields}


USER_FIELDS = ("id", "display_name", "email", "role", "organisation", "enterprise_id",
               "is_active", "created_at", "confirmed_at", "password_changed_at")  # fmt: skip
TOKEN_FIELDS = ("id", "name", "prefix", "scopes", "created_at", "expires_at", "revoked_at",
                "last_used_at")  # fmt: skip
INTRODUCTION_FIELDS = ("id", "need_id", "profile_id", "origin", "status", "message",
                       "decline_reason", "created_by", "created_at", "responded_at")  # fmt: skip


def everything(db: Session, user: User) -> dict[str, Any]:
    """The complete export; the page shows the same dict."""

    def rows(statement: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        return [_row(r, fields) for r in db.scalars(statement).all()]

    enterprise = db.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    erasure = db.get(AccountErasure, user.id)
    return {
        "user": {**_row(user, USER_FIELDS), "phone": None},
        "enterprise": {"id": enterprise.id, "name": enterprise.name} if enterprise else None,
        "login_sessions": rows(
            select(LoginSession).where(LoginSession.user_id == user.id),
            ("created_at", "expires_at"),
        ),
        "api_tokens": rows(select(ApiToken).where(ApiToken.user_id == user.id), TOKEN_FIELDS),
        "password_resets": rows(
            select(PasswordReset).where(PasswordReset.user_id == user.id),
            ("created_at", "expires_at", "used_at"),
        ),
        "notifications": rows(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id),
            ("id", "kind", "params", "link", "created_at", "read_at"),
        ),
        "introductions_made": rows(
            select(Introduction).where(Introduction.created_by == user.id), INTRODUCTION_FIELDS
        ),
        "introductions_received": _received(db, user),
        "agreements_signed": rows(
            select(AgreementSignature).where(AgreementSignature.signer_id == user.id),
            ("agreement_id", "enterprise_id", "signer_name", "provider", "digest", "signed_at"),
        ),
        "agreements_drafted": rows(
            select(Agreement).where(Agreement.created_by == user.id),
            ("id", "code", "subject", "status", "created_at"),
        ),
        "agreement_approvals": rows(
            select(AgreementApproval).where(AgreementApproval.user_id == user.id),
            ("agreement_id", "enterprise_id", "version", "created_at"),
        ),
        "agreement_comments": rows(
            select(AgreementComment).where(AgreementComment.user_id == user.id),
            ("agreement_id", "author_name", "version", "body", "created_at"),
        ),
        "jobs": rows(
            select(Job).where(Job.created_by == user.id), ("id", "kind", "status", "created_at")
        ),
        "audit_events": [audit.as_dict(e) for e in audit.about_user(db, user.id)],
        "erased_at": plain(erasure.erased_at) if erasure else None,
    }


def _received(db: Session, user: User) -> list[dict[str, Any]]:
    """Introductions to the user's enterprise's needs or profiles, started by someone else."""
    if user.enterprise_id is None:
        return []
    needs = select(Need.id).where(Need.enterprise_id == user.enterprise_id)
    profiles = select(CapabilityProfile.id).where(
        CapabilityProfile.enterprise_id == user.enterprise_id
    )
    statement = select(Introduction).where(
        or_(Introduction.need_id.in_(needs), Introduction.profile_id.in_(profiles)),
        or_(Introduction.created_by.is_(None), Introduction.created_by != user.id),
    )
    return [_row(r, INTRODUCTION_FIELDS) for r in db.scalars(statement).all()]
