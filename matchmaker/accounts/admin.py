"""Account administration: review sign-ups, confirm them, deactivate and reactivate users."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.accounts import lockout, mails
from matchmaker.accounts.models import User
from matchmaker.accounts.service import end_all_sessions, get_user
from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.db import utcnow
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden, InvalidState
from matchmaker.fields import Role
from matchmaker.i18n import N_
from matchmaker.mail import Mailer
from matchmaker.notifications import service as notifications
from matchmaker.policy import Actor
from matchmaker.query import paginate, text_matches
from matchmaker.schemas import PageParams


class AccountStatus(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


STATUS_LABELS = {
    AccountStatus.WAITING: N_("Waiting for confirmation"),
    AccountStatus.ACTIVE: N_("Active"),
    AccountStatus.DEACTIVATED: N_("Deactivated"),
}


@dataclass(frozen=True)
class UserFilters:
    status: AccountStatus | None = None
    role: Role | None = None
    q: str | None = None


def status_of(user: User) -> AccountStatus:
    if not user.is_active:
        return AccountStatus.DEACTIVATED
    return AccountStatus.WAITING if user.confirmed_at is None else AccountStatus.ACTIVE


def list_page(
    db: Session, *, actor: Actor, filters: UserFilters, page: PageParams
) -> tuple[list[User], int]:
    """Users for the account list, newest first."""
    if not policy.can_review_accounts(actor):
        raise Forbidden("only admins and organisers review accounts")
    statement = _with_status(select(User), filters.status)
    if filters.role is not None:
        statement = statement.where(User.role == filters.role)
    if filters.q:
        statement = statement.where(
            text_matches([User.email, User.display_name, User.organisation], filters.q)
        )
    return paginate(db, statement.order_by(User.created_at.desc(), User.id), page)


def enterprise_names(db: Session, users: list[User]) -> dict[str, str]:
    """Names of the users' enterprises, by id, for one page of the list."""
    ids = {user.enterprise_id for user in users if user.enterprise_id}
    if not ids:
        return {}
    rows = db.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids)))
    return {row.id: row.name for row in rows}


def confirm(db: Session, *, actor: Actor, user_id: str, mailer: Mailer, login_url: str) -> User:
    """Let a waiting account in; the user hears it in their inbox and by mail."""
    user = _target(db, actor, user_id)
    if not policy.can_confirm_user(actor, user):
        raise Forbidden("organisers confirm only firm and SME accounts; nobody confirms themselves")
    if status_of(user) is not AccountStatus.WAITING:
        raise InvalidState(f"the account {user.email} is not waiting for confirmation")
    user.confirmed_at = utcnow()
    notifications.notify_users(db, [user.id], "account_confirmed", "/dashboard")
    audit.record(db, actor, actions.USER_CONFIRMED, ("user", user.id))
    db.commit()
    mails.deliver(mailer, mails.account_confirmed(user, link=login_url))
    return user


def deactivate(db: Session, *, actor: Actor, user_id: str) -> User:
    """Lock the account out: its sessions end and its API tokens stop working."""
    user = _target(db, actor, user_id)
    if not policy.can_deactivate_user(actor, user):
        raise Forbidden("organisers deactivate only firm and SME accounts; nobody themselves")
    if not user.is_active:
        raise InvalidState(f"the account {user.email} is already deactivated")
    user.is_active = False
    end_all_sessions(db, user.id)
    audit.record(db, actor, actions.USER_DEACTIVATED, ("user", user.id))
    db.commit()
    return user


def reactivate(db: Session, *, actor: Actor, user_id: str) -> User:
    user = _target(db, actor, user_id)
    if not policy.can_reactivate_user(actor, user):
        raise Forbidden("only admins reactivate accounts, and not their own")
    if user.is_active:
        raise InvalidState(f"the account {user.email} is active")
    user.is_active = True
    audit.record(db, actor, actions.USER_REACTIVATED, ("user", user.id))
    db.commit()
    return user


def unlock(db: Session, *, actor: Actor, user_id: str) -> User:
    """Lift a lock after failed logins; whoever may deactivate an account may unlock it."""
    user = _target(db, actor, user_id)
    if not policy.can_deactivate_user(actor, user):
        raise Forbidden("organisers unlock only firm and SME accounts; nobody themselves")
    if not lockout.is_locked(user):
        raise InvalidState(f"the account {user.email} is not locked")
    lockout.clear(user)
    db.commit()
    return user


def _target(db: Session, actor: Actor, user_id: str) -> User:
    if not policy.can_review_accounts(actor):
        raise Forbidden("only admins and organisers manage accounts")
    return get_user(db, user_id=user_id)


def _with_status(
    statement: Select[tuple[User]], status: AccountStatus | None
) -> Select[tuple[User]]:
    if status is AccountStatus.DEACTIVATED:
        return statement.where(User.is_active.is_(False))
    if status is AccountStatus.WAITING:
        return statement.where(User.is_active.is_(True), User.confirmed_at.is_(None))
    if status is AccountStatus.ACTIVE:
        return statement.where(User.is_active.is_(True), User.confirmed_at.is_not(None))
    return statement
