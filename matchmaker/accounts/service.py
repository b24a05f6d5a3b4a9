"""Account use cases: users, password login, web sessions and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.accounts import security
from matchmaker.accounts.models import ApiToken, LoginSession, User
from matchmaker.accounts.schemas import TokenCreate, UserCreate, UserUpdate
from matchmaker.db import utcnow
from matchmaker.enterprises import service as enterprises
from matchmaker.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from matchmaker.fields import Role
from matchmaker.i18n import N_
from matchmaker.ids import new_id
from matchmaker.policy import Actor
from matchmaker.validation import merged

WAITING_FOR_CONFIRMATION = N_("the account is waiting for confirmation by an administrator")


def create_user(db: Session, *, actor: Actor, data: UserCreate, system: bool = False) -> User:
    """Create a user; `system` is the CLI and fixture loader acting with operator rights."""
    if not system and not policy.can_manage_users(actor):
        raise Forbidden("only admins create users")
    problem = security.check_password_rules(data.password)
    if problem is not None:
        raise ValidationFailed(problem, errors=[FieldError("password", problem)])
    if db.scalar(select(User.id).where(User.email == data.email)) is not None:
        raise Conflict(
            f"a user with email {data.email} already exists",
            errors=[FieldError("email", "is already registered")],
        )
    _check_membership(db, data.role, data.enterprise_id)
    user = User(
        id=new_id("user"),
        email=data.email,
        password_hash=security.hash_password(data.password),
        display_name=data.display_name,
        role=data.role,
        enterprise_id=data.enterprise_id,
        organisation=data.organisation,
    )
    db.add(user)
    db.commit()
    return user


def get_user(db: Session, *, user_id: str) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id!r} does not exist")
    return user


def find_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def list_users(db: Session, *, actor: Actor) -> list[User]:
    if not policy.can_manage_users(actor):
        raise Forbidden("only admins list users")
    return list(db.scalars(select(User).order_by(User.email)).all())


def update_user(
    db: Session, *, actor: Actor, user_id: str, patch: UserUpdate, system: bool = False
) -> User:
    if not system and not policy.can_manage_users(actor):
        raise Forbidden("only admins change users")
    user = get_user(db, user_id=user_id)
    current = {field: getattr(user, field) for field in UserUpdate.model_fields}
    data = merged(UserUpdate, current, patch.model_dump(exclude_unset=True), what="user")
    if data.role is not None:
        _check_membership(db, data.role, data.enterprise_id)
    for field, value in data.model_dump().items():
        setattr(user, field, value)
    if not user.is_active:
        end_all_sessions(db, user.id)
    db.commit()
    return user


def change_password(db: Session, *, user: User, current_password: str, new_password: str) -> None:
    if not security.verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            "the current password is wrong", errors=[FieldError("current_password", "is wrong")]
        )
    problem = security.check_password_rules(new_password)
    if problem is not None:
        raise ValidationFailed(problem, errors=[FieldError("new_password", problem)])
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(db, user.id)
    db.commit()


def authenticate(db: Session, *, email: str, password: str) -> User:
    """The user with these credentials, if they may sign in; why not, after the password."""
    user = find_by_email(db, email)
    valid = security.verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        raise Unauthorized(N_("email or password is wrong, or the account is deactivated"))
    if user.confirmed_at is None:
        raise Unauthorized(WAITING_FOR_CONFIRMATION)
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
        db.commit()
    return user


def may_sign_in(user: User | None) -> bool:
    """Deactivated accounts and those waiting for an admin's confirmation are locked out."""
    return user is not None and user.is_active and user.confirmed_at is not None


def start_session(db: Session, *, user: User, days: int) -> str:
    """Create a login session; returns the raw token for the cookie (stored only hashed)."""
    token = security.new_token()
    db.add(
        LoginSession(
            token_hash=security.digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.commit()
    return token


def user_for_session(db: Session, token: str) -> User | None:
    row = db.get(LoginSession, security.digest(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = db.get(User, row.user_id)
    return user if may_sign_in(user) else None


def end_session(db: Session, token: str) -> None:
    db.execute(delete(LoginSession).where(LoginSession.token_hash == security.digest(token)))
    db.commit()


def issue_token(db: Session, *, user: User, data: TokenCreate) -> tuple[ApiToken, str]:
    raw = security.new_token(security.API_TOKEN_PREFIX)
    expires = utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    token = ApiToken(
        id=new_id("tok"),
        user_id=user.id,
        name=data.name,
        token_hash=security.digest(raw),
        prefix=raw[:10],
        expires_at=expires,
    )
    db.add(token)
    db.commit()
    return token, raw


def list_tokens(db: Session, *, user: User) -> list[ApiToken]:
    statement = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
    return list(db.scalars(statement).all())


def revoke_token(db: Session, *, user: User, token_id: str) -> ApiToken:
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"token {token_id!r} does not exist")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.commit()
    return token


def user_for_token(db: Session, raw: str, *, now: datetime | None = None) -> User | None:
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == security.digest(raw)))
    moment = now or utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= moment:
        return None
    user = db.get(User, token.user_id)
    if not may_sign_in(user):
        return None
    token.last_used_at = moment
    db.commit()
    return user


def _check_membership(db: Session, role: Role, enterprise_id: str | None) -> None:
    """Firm and SME users belong to an enterprise of the right size; others to none."""
    if role in policy.MEMBER_ROLES:
        if enterprise_id is None:
            raise ValidationFailed(
                f"a {role} user must belong to an enterprise",
                errors=[FieldError("enterprise_id", "is required for this role")],
            )
        enterprise = enterprises.get(db, enterprise_id=enterprise_id)
        if not policy.role_fits_size(role, enterprise.size):
            kind = "large enterprises" if role is Role.FIRM else "SMEs (medium, small, micro)"
            raise ValidationFailed(
                f"{role} users belong to {kind}; {enterprise.name} is {enterprise.size}",
                errors=[FieldError("enterprise_id", f"is a {enterprise.size} enterprise")],
            )
    elif enterprise_id is not None:
        raise ValidationFailed(
            f"{role} users do not belong to an enterprise",
            errors=[FieldError("enterprise_id", f"must be empty for role {role}")],
        )


def end_all_sessions(db: Session, user_id: str) -> None:
    """Log the user out everywhere, in the caller's transaction (no commit here)."""
    db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
