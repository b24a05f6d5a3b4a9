"""Forgotten passwords: a one-time link by mail, valid for an hour, stored only hashed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from matchmaker import i18n
from matchmaker.accounts import lockout, mails, security
from matchmaker.accounts.models import PasswordReset, User
from matchmaker.accounts.service import end_all_sessions, find_by_email, revoke_all_tokens
from matchmaker.db import utcnow
from matchmaker.errors import FieldError, InvalidState, ValidationFailed
from matchmaker.i18n import N_
from matchmaker.mail import Mailer

RESET_VALID_FOR = timedelta(hours=1)
INVALID_LINK = N_("This link to reset a password is invalid, used or expired.")


def reset_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/password/reset/{token}"


def request_reset(
    db: Session,
    *,
    email: str,
    mailer: Mailer,
    public_url: str,
    locale: str = i18n.DEFAULT_LOCALE,
    now: datetime | None = None,
) -> None:
    """Mail a reset link if an active user has this email; say nothing either way."""
    user = find_by_email(db, email)
    if user is None or not user.is_active:
        return
    token = security.new_token()
    moment = now or utcnow()
    db.add(
        PasswordReset(
            token_hash=security.digest(token),
            user_id=user.id,
            created_at=moment,
            expires_at=moment + RESET_VALID_FOR,
        )
    )
    db.commit()
    message = mails.password_reset(user, link=reset_link(public_url, token), locale=locale)
    mails.deliver(mailer, message)


def check_reset(db: Session, *, token: str, now: datetime | None = None) -> User:
    """The user a reset link belongs to, while the link is unused and not expired."""
    reset = db.get(PasswordReset, security.digest(token))
    if reset is None or reset.used_at is not None or reset.expires_at <= (now or utcnow()):
        raise InvalidState(INVALID_LINK)
    user = db.get(User, reset.user_id)
    if user is None or not user.is_active:
        raise InvalidState(INVALID_LINK)
    return user


def complete_reset(
    db: Session, *, token: str, new_password: str, now: datetime | None = None
) -> User:
    """Set the new password, use up every open link of the user, end their sessions and
    revoke their API tokens (whoever knew the old password may have made some); having
    read the mail proves ownership, so a lock after failed logins is lifted too."""
    user = check_reset(db, token=token, now=now)
    problem = security.check_password_rules(new_password, email=user.email, name=user.display_name)
    if problem is not None:
        raise ValidationFailed(problem, errors=[FieldError("password", problem)])
    moment = now or utcnow()
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = moment
    db.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=moment)
    )
    end_all_sessions(db, user.id)
    revoke_all_tokens(db, user.id)
    lockout.clear(user)
    db.commit()
    return user
