"""Account use cases: users, password login, web sessions and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.accounts import lockout as lockouts
from matchmaker.accounts import security
from matchmaker.accounts.models import ApiToken, LoginSession, User
from matchmaker.accounts.schemas import (
    DEFAULT_SCOPES,
    TokenCreate,
    TokenScope,
    UserCreate,
    UserUpdate,
)
from matchmaker.audit import actions
from matchmaker.audit import service as audit
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
READ_ONLY_TOKEN = N_("this API token has only the read scope: it may make GET requests only")
ADMIN_SCOPE_NEEDED = N_("this API token lacks the admin scope needed to manage users")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_user(db: Session, *, actor: Actor, data: UserCreate, system: bool = False) -> User:
    """Create a user; `system` is the CLI and fixture loader acting with operator rights."""
    if not system and not policy.can_manage_users(actor):
        raise Forbidden("only admins create users")
    problem = security.check_password_rules(data.password, email=data.email, name=data.display_name)
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
    audit.record(db, actor, actions.USER_CREATED, ("user", user.id), {"role": user.role.value})
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
    audit.record_change(db, actor, ("user", user.id), current, data.model_dump())
    db.commit()
    return user


def change_password(
    db: Session,
    *,
    user: User,
    current_password: str,
    new_password: str,
    keep_session: str | None = None,
    keep_token: str | None = None,
) -> None:
    """Set a new password; every other session ends and every other API token is revoked.

    `keep_session` / `keep_token` are the raw cookie or bearer token of the request making
    the change: that one client stays signed in.
    """
    if not security.verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            "the current password is wrong", errors=[FieldError("current_password", "is wrong")]
        )
    problem = security.check_password_rules(new_password, email=user.email, name=user.display_name)
    if problem is not None:
        raise ValidationFailed(problem, errors=[FieldError("new_password", problem)])
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(db, user.id, keep=keep_session)
    revoke_all_tokens(db, user.id, keep=keep_token)
    db.commit()


def authenticate(
    db: Session, *, email: str, password: str, lockout: lockouts.Lockout | None = None
) -> User:
    """The user with these credentials, if they may sign in; why not, after the password.

    A locked account is refused before the password is checked (lockout.py); a wrong
    password counts towards the next lock, a right one clears the count.
    """
    user = find_by_email(db, email)
    try:
        lockouts.check(user)
    except lockouts.AccountLocked:
        locked = ("user", user.id if user is not None else email)  # only accounts lock
        audit.record_now(db, user, actions.LOGIN_FAILED, locked, {"locked": True})
        raise
    valid = security.verify_password(user.password_hash if user else None, password)
    if user is not None and not valid and user.is_active:
        lockouts.record_failure(db, user, lockout or lockouts.Lockout())
    if user is None or not valid or not user.is_active:
        audit.record_now(db, user, actions.LOGIN_FAILED, ("email", email), {"email": email[:254]})
        raise Unauthorized(N_("email or password is wrong, or the account is deactivated"))
    if user.confirmed_at is None:
        audit.record_now(db, user, actions.LOGIN_FAILED, ("user", user.id), {"waiting": True})
        raise Unauthorized(WAITING_FOR_CONFIRMATION)
    lockouts.record_success(db, user)
    audit.record(db, user, actions.LOGIN_SUCCEEDED, ("user", user.id))
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
        scopes=" ".join(_scopes_for(user, data.scopes)),
    )
    db.add(token)
    db.commit()
    return token, raw


def _scopes_for(user: User, asked: list[TokenScope] | None) -> list[TokenScope]:
    """The scopes asked for, in a fixed order; by default all the user's role can use."""
    is_admin = user.role is Role.ADMIN
    if asked is None:
        asked = [*DEFAULT_SCOPES, TokenScope.ADMIN] if is_admin else list(DEFAULT_SCOPES)
    if TokenScope.ADMIN in asked and not is_admin:
        raise ValidationFailed(
            "only admins' tokens may have the admin scope",
            errors=[FieldError("scopes", "admin is for admins only")],
        )
    return [scope for scope in TokenScope if scope in asked]


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


def user_for_token(
    db: Session, raw: str, *, method: str = "GET", now: datetime | None = None
) -> User | None:
    """The user behind a live token; Forbidden when its scopes do not allow `method`."""
    token = _live_token(db, raw, now)
    if token is None:
        return None
    user = db.get(User, token.user_id)
    if not may_sign_in(user):
        return None
    scopes = token.scopes.split()
    if method.upper() not in SAFE_METHODS and TokenScope.WRITE not in scopes:
        raise Forbidden(READ_ONLY_TOKEN)
    token.last_used_at = now or utcnow()
    db.commit()
    return user


def token_scopes(db: Session, raw: str) -> set[str]:
    """The scopes of a live token (none for an unknown, expired or revoked one)."""
    token = _live_token(db, raw, None)
    return set(token.scopes.split()) if token is not None else set()


def _live_token(db: Session, raw: str, now: datetime | None) -> ApiToken | None:
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == security.digest(raw)))
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return None
    return token


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


def end_all_sessions(db: Session, user_id: str, *, keep: str | None = None) -> None:
    """Log the user out everywhere (but the raw session `keep`), in the caller's transaction."""
    statement = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(LoginSession.token_hash != security.digest(keep))
    db.execute(statement)


def revoke_all_tokens(db: Session, user_id: str, *, keep: str | None = None) -> None:
    """Revoke the user's live API tokens (but the raw token `keep`); no commit here."""
    statement = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if keep is not None:
        statement = statement.where(ApiToken.token_hash != security.digest(keep))
    db.execute(statement.values(revoked_at=utcnow()))
