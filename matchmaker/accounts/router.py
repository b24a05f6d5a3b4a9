"""Account API routes: login, logout, the current user, API tokens, user admin."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from matchmaker.accounts import admin, cookies, lockout, service
from matchmaker.accounts.schemas import (
    LoginOut,
    LoginRequest,
    PasswordChange,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from matchmaker.api import problems
from matchmaker.deps import SESSION_COOKIE, CurrentUser, SessionDep, SettingsDep
from matchmaker.errors import Forbidden
from matchmaker.ratelimit.guard import limit_attempt

router = APIRouter(tags=["accounts"])


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def admin_scope(request: Request, db: SessionDep) -> None:
    """User administration through a token needs its admin scope; sessions need no scope."""
    raw = _bearer(request)
    if raw is not None and "admin" not in service.token_scopes(db, raw):
        raise Forbidden(service.ADMIN_SCOPE_NEEDED)


ADMIN_SCOPE = [Depends(admin_scope)]


@router.post("/auth/login", response_model=LoginOut, responses=problems(401, 422, 429))
def login(
    request: Request, response: Response, db: SessionDep, settings: SettingsDep, body: LoginRequest
) -> LoginOut:
    limit_attempt(request, "login", body.email)
    user = service.authenticate(
        db, email=body.email, password=body.password, lockout=lockout.for_request(request)
    )
    token = service.start_session(db, user=user, days=settings.session_days)
    csrf = cookies.set_login(response, request, settings, token)
    return LoginOut(user=UserOut.model_validate(user), csrf_token=csrf)


@router.post("/auth/logout", status_code=204, responses=problems(403))
def logout(request: Request, db: SessionDep) -> Response:
    response = Response(status_code=204)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(db, token)
    cookies.clear_login(response)
    return response


@router.get("/me", response_model=UserOut, responses=problems(401))
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.post("/me/password", status_code=204, responses=problems(401, 422))
def change_password(
    request: Request, db: SessionDep, user: CurrentUser, body: PasswordChange
) -> Response:
    """Other sessions end and other API tokens are revoked; the caller's own one stays."""
    service.change_password(
        db,
        user=user,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_session=None if _bearer(request) else request.cookies.get(SESSION_COOKIE),
        keep_token=_bearer(request),
    )
    return Response(status_code=204)


@router.get("/me/tokens", response_model=list[TokenOut], responses=problems(401))
def list_tokens(db: SessionDep, user: CurrentUser) -> list[TokenOut]:
    return [TokenOut.model_validate(token) for token in service.list_tokens(db, user=user)]


@router.post(
    "/me/tokens", response_model=TokenCreated, status_code=201, responses=problems(401, 422)
)
def create_token(db: SessionDep, user: CurrentUser, body: TokenCreate) -> TokenCreated:
    token, raw = service.issue_token(db, user=user, data=body)
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=raw)


@router.delete("/me/tokens/{token_id}", response_model=TokenOut, responses=problems(401, 404))
def revoke_token(db: SessionDep, user: CurrentUser, token_id: str) -> TokenOut:
    return TokenOut.model_validate(service.revoke_token(db, user=user, token_id=token_id))


@router.get(
    "/users", response_model=list[UserOut], responses=problems(401, 403), dependencies=ADMIN_SCOPE
)
def list_users(db: SessionDep, user: CurrentUser) -> list[UserOut]:
    return [UserOut.model_validate(row) for row in service.list_users(db, actor=user)]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    responses=problems(401, 403, 409, 422),
    dependencies=ADMIN_SCOPE,
)
def create_user(db: SessionDep, user: CurrentUser, body: UserCreate) -> UserOut:
    return UserOut.model_validate(service.create_user(db, actor=user, data=body))


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    responses=problems(401, 403, 404, 422),
    dependencies=ADMIN_SCOPE,
)
def update_user(db: SessionDep, user: CurrentUser, user_id: str, body: UserUpdate) -> UserOut:
    return UserOut.model_validate(service.update_user(db, actor=user, user_id=user_id, patch=body))


@router.post(
    "/users/{user_id}/unlock",
    response_model=UserOut,
    responses=problems(401, 403, 404, 409),
    dependencies=ADMIN_SCOPE,
)
def unlock_user(db: SessionDep, user: CurrentUser, user_id: str) -> UserOut:
    """Lift a lock after failed logins before it runs out."""
    return UserOut.model_validate(admin.unlock(db, actor=user, user_id=user_id))
