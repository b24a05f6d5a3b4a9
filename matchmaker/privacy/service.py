"""A user's personal information: gather it all, and erase it on their request.

Erasure pseudonymises the user row instead of deleting it: signatures, approvals and
introductions point at it, and a signed agreement must stay verifiable. The signature row
and the ledger keep the signer's name because they are the contract; every other copy of
the name goes.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from matchmaker.accounts import security
from matchmaker.accounts.models import ApiToken, LoginSession, PasswordReset, User
from matchmaker.accounts.service import end_all_sessions, revoke_all_tokens
from matchmaker.agreements.models import AgreementComment
from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.db import utcnow
from matchmaker.errors import Conflict, FieldError, ValidationFailed
from matchmaker.fields import Role
from matchmaker.i18n import N_
from matchmaker.notifications.models import Notification
from matchmaker.privacy import gather
from matchmaker.privacy.models import AccountErasure

ERASED_NAME = "已注销用户 {short}"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivers
WRONG_PASSWORD = N_("the password is wrong; nothing was deleted")
LAST_ADMIN = N_(
    "you are the last administrator: appoint another admin before deleting your account"
)


def personal_data(db: Session, *, user: User) -> dict[str, Any]:
    """Everything held about the user, as plain JSON-ready values."""
    return gather.everything(db, user)


def viewed(db: Session, *, user: User, download: bool) -> None:
    """Record that the user looked at (or downloaded) their own data."""
    action = actions.PERSONAL_DATA_EXPORTED if download else actions.PERSONAL_DATA_VIEWED
    audit.record_now(db, user, action, ("user", user.id))


def short_hash(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()[:8]


def erase(db: Session, *, user: User, password: str) -> None:
    """Remove or pseudonymise the user's personal fields, end every login, deactivate.

    Refused (nothing changed) with a wrong password, or when the user is the last admin.
    """
    if not security.verify_password(user.password_hash, password):
        audit.record_now(db, user, actions.ERASURE_REFUSED, ("user", user.id), {"why": "password"})
        raise ValidationFailed(WRONG_PASSWORD, errors=[FieldError("password", WRONG_PASSWORD)])
    if user.role is Role.ADMIN and _other_admins(db, user) == 0:
        audit.record_now(db, user, actions.ERASURE_REFUSED, ("user", user.id), {"why": "admin"})
        raise Conflict(LAST_ADMIN)
    short = short_hash(user.id)
    name = ERASED_NAME.format(short=short)
    audit.record(db, user, actions.ACCOUNT_ERASED, ("user", user.id), {"by": "self"})
    end_all_sessions(db, user.id)
    revoke_all_tokens(db, user.id)
    db.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    db.execute(delete(Notification).where(Notification.user_id == user.id))
    db.execute(
        update(AgreementComment).where(AgreementComment.user_id == user.id).values(author_name=name)
    )
    user.display_name = name
    user.email = f"erased-{hashlib.sha256(user.id.encode()).hexdigest()[:24]}@{ERASED_DOMAIN}"
    user.organisation = None
    user.enterprise_id = None
    user.password_hash = "!erased-" + secrets.token_hex(16)  # no password ever matches
    user.password_changed_at = utcnow()
    user.is_active = False
    db.add(AccountErasure(user_id=user.id, erased_by=user.id))
    db.commit()


def _other_admins(db: Session, user: User) -> int:
    statement = select(func.count()).where(
        User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id
    )
    return db.scalar(statement) or 0


def live_logins(db: Session, user_id: str) -> tuple[int, int]:
    """(sessions, unrevoked tokens): both 0 after erasure."""
    sessions = db.scalar(
        select(func.count()).select_from(LoginSession).where(LoginSession.user_id == user_id)
    )
    tokens = db.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    )
    return sessions or 0, tokens or 0
