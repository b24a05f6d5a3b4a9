"""Account lockout after repeated failed logins, on top of the per-window rate limits.

The state lives on the user row (failed_logins, locked_until, lockouts), not in the rate
limiter: the database is the one store every server process shares whether or not Redis is
configured, it survives a Redis restart, the doubling needs the count of earlier locks, and
an admin unlocks with an ordinary update. Counters move with atomic UPDATEs, so concurrent
failures on several processes are each counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import update
from sqlalchemy.orm import Session

from matchmaker import i18n
from matchmaker.accounts import mails
from matchmaker.accounts.models import User
from matchmaker.config import Settings
from matchmaker.db import utcnow
from matchmaker.errors import Unauthorized
from matchmaker.i18n import N_
from matchmaker.mail import Mailer

LOCKED = N_(
    "This account is locked for a while after too many failed logins. Try again later, "
    "reset your password or ask an administrator to unlock it."
)


class AccountLocked(Unauthorized):
    """Refused while locked, whatever password was given, so a guess learns nothing."""


@dataclass(frozen=True)
class Policy:
    threshold: int = 10
    minutes: int = 15
    max_minutes: int = 24 * 60

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            settings.lockout_threshold, settings.lockout_minutes, settings.lockout_max_minutes
        )

    def duration(self, earlier_locks: int) -> timedelta:
        """15, 30, 60 ... minutes: doubled for each lock since the last successful login."""
        minutes = self.minutes * 2 ** min(earlier_locks, 20)
        return timedelta(minutes=min(minutes, self.max_minutes))


@dataclass(frozen=True)
class Lockout:
    """The policy and, when there is one, how to tell the owner their account got locked."""

    policy: Policy = Policy()
    mailer: Mailer | None = None
    public_url: str = ""
    locale: str = i18n.DEFAULT_LOCALE


def for_request(request: Request) -> Lockout:
    settings: Settings = request.app.state.settings
    mailer: Mailer | None = getattr(request.app.state, "mailer", None)
    # The mail goes out in the default language: the request may well be the attacker's.
    return Lockout(Policy.of(settings), mailer, settings.public_url)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def check(user: User | None, now: datetime | None = None) -> None:
    if user is not None and is_locked(user, now):
        raise AccountLocked(LOCKED)


def record_failure(db: Session, user: User, lockout: Lockout, now: datetime | None = None) -> None:
    """Count a wrong password; the one that reaches the threshold locks and mails the owner."""
    moment = now or utcnow()
    db.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1))
    db.commit()
    db.refresh(user)
    if user.failed_logins < lockout.policy.threshold:
        return
    user.locked_until = moment + lockout.policy.duration(user.lockouts)
    user.lockouts += 1
    user.failed_logins = 0
    db.commit()
    if lockout.mailer is not None:
        link = f"{lockout.public_url.rstrip('/')}/password/forgot"
        message = mails.account_locked(user, link=link, locale=lockout.locale)
        mails.deliver(lockout.mailer, message)
    raise AccountLocked(LOCKED)


def record_success(db: Session, user: User) -> None:
    """A successful login forgets the failures and earlier locks."""
    if user.failed_logins or user.lockouts or user.locked_until is not None:
        clear(user)
        db.commit()


def clear(user: User) -> None:
    """Unlock and forget the streak, in the caller's transaction."""
    user.failed_logins = 0
    user.lockouts = 0
    user.locked_until = None
