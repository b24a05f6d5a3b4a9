"""Login hardening: account lockout, password rules, session invalidation, token scopes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from conftest import PASSWORD
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from matchmaker.accounts import passwords
from matchmaker.accounts.models import ApiToken, LoginSession, User
from matchmaker.accounts.schemas import TokenCreate, TokenScope
from matchmaker.accounts.service import issue_token
from matchmaker.audit import actions
from matchmaker.audit.models import AuditEvent
from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.db import utcnow
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.main import create_app
from matchmaker.ratelimit.redis import RedisRateLimiter

WRONG = "Wrong-Password-1"
NEW_PASSWORD = "Sturdy-Lantern-58"
COMMON = ["woaini1314", "1qaz2wsx3edc", "Password123!", "qwerty123456", "matchmaker2026"]
Outbox = Callable[[], list[EmailMessage]]


@pytest.fixture
def member(make: Any) -> Any:
    return make.user(Role.SME, make.enterprise(EnterpriseSize.SMALL))


def api_login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def fresh(db: Any, user: User) -> User:
    db.expire_all()
    found = db.get(User, user.id)
    assert found is not None
    return found


# Lockout -------------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def two_apps(request: pytest.FixtureRequest, settings: Settings) -> Iterator[list[TestClient]]:
    """Two app instances on one database, with their own (memory) or a shared Redis limiter."""
    overrides: dict[str, Any] = {"lockout_threshold": 3, "login_limit": 100}
    prefix = ""
    if request.param == "redis":
        from services import redis_url, unique_prefix

        overrides["redis_url"], prefix = redis_url(), unique_prefix()
    apps = [create_app(settings.model_copy(update=overrides)) for _ in range(2)]
    for app in apps:
        if prefix:
            app.state.limiter = RedisRateLimiter.from_url(overrides["redis_url"], prefix=prefix)
    clients = [TestClient(app) for app in apps]
    yield clients
    for client, app in zip(clients, apps, strict=True):
        client.close()
        app.state.database.dispose()


def test_lockout_is_shared_by_app_instances(two_apps: list[TestClient], member: Any) -> None:
    one, two = two_apps
    assert api_login(one, member.email, WRONG).status_code == 401
    assert api_login(two, member.email, WRONG).status_code == 401
    locked = api_login(one, member.email, WRONG)  # the third failure, on either instance
    # The right password on the other instance is refused too, with the same message.
    right = api_login(two, member.email)
    assert (locked.status_code, right.status_code) == (401, 401)
    assert locked.json()["detail"] == right.json()["detail"]
    assert "locked" in right.json()["detail"]


def test_lock_message_does_not_tell_whether_the_password_was_right(
    app: Any, client: TestClient, db: Any, member: Any
) -> None:
    member.locked_until = utcnow() + dt.timedelta(minutes=5)
    db.commit()
    right, wrong = api_login(client, member.email), api_login(client, member.email, WRONG)
    assert (right.status_code, wrong.status_code) == (401, 401)
    assert right.json()["detail"] == wrong.json()["detail"]


def test_attempts_on_a_locked_account_are_audited(client: TestClient, db: Any, member: Any) -> None:
    member.locked_until = utcnow() + dt.timedelta(minutes=5)
    db.commit()
    api_login(client, member.email)
    db.expire_all()
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == actions.LOGIN_FAILED)).all()
    assert [(e.actor_user_id, e.details) for e in events] == [(member.id, {"locked": True})]


def test_html_login_shows_the_lock_in_chinese(client: TestClient, db: Any, member: Any) -> None:
    member.locked_until = utcnow() + dt.timedelta(minutes=5)
    db.commit()
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": member.email, "password": PASSWORD, "csrf_token": client.cookies["mm_csrf"]},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "登录失败次数过多，此账号已被暂时锁定" in response.text


def test_lock_doubles_on_repeat_up_to_the_cap(
    app: Any, client: TestClient, db: Any, member: Any, outbox: Outbox
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"lockout_threshold": 2, "lockout_minutes": 15, "lockout_max_minutes": 40}
    )
    lengths = []
    for _ in range(3):
        for _ in range(2):
            api_login(client, member.email, WRONG)
        user = fresh(db, member)
        assert user.locked_until is not None
        lengths.append(round((user.locked_until - utcnow()).total_seconds() / 60))
        user.locked_until = utcnow() - dt.timedelta(seconds=1)  # let the lock run out
        db.commit()
    assert lengths == [15, 30, 40]
    assert [mail["Subject"] for mail in outbox()] == ["您的账号已被锁定"] * 3


def test_successful_login_resets_the_count(
    app: Any, client: TestClient, db: Any, member: Any
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"lockout_threshold": 3})
    for _ in range(2):
        api_login(client, member.email, WRONG)
    assert api_login(client, member.email).status_code == 200
    client.cookies.clear()  # signed in, a login would need the CSRF header
    for _ in range(2):
        api_login(client, member.email, WRONG)
    assert (fresh(db, member).failed_logins, fresh(db, member).locked_until) == (2, None)


def test_lock_mail_tells_the_owner(
    client: TestClient, app: Any, member: Any, outbox: Outbox
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"lockout_threshold": 1})
    api_login(client, member.email, WRONG)
    [mail] = outbox()
    assert (mail["To"], mail["Subject"]) == (member.email, "您的账号已被锁定")
    assert "/password/forgot" in mail.get_content()


def test_admin_unlocks_through_the_api(client: TestClient, db: Any, make: Any, member: Any) -> None:
    member.locked_until = utcnow() + dt.timedelta(minutes=15)
    member.lockouts = 2
    db.commit()
    admin = make.token_headers(make.user(Role.ADMIN))
    response = client.post(f"/api/v1/users/{member.id}/unlock", headers=admin)
    assert (response.status_code, response.json()["locked_until"]) == (200, None)
    assert fresh(db, member).lockouts == 0
    assert api_login(client, member.email).status_code == 200
    again = client.post(f"/api/v1/users/{member.id}/unlock", headers=admin)
    assert again.status_code == 409


def test_admin_unlocks_on_the_account_list(app: Any, db: Any, make: Any, member: Any) -> None:
    from conftest import page_login

    member.locked_until = utcnow() + dt.timedelta(minutes=15)
    db.commit()
    admin = make.user(Role.ADMIN)
    with TestClient(app) as browser:
        csrf = page_login(browser, admin.email)
        listing = browser.get("/admin/users")
        assert f"/admin/users/{member.id}/unlock" in listing.text
        response = browser.post(
            f"/admin/users/{member.id}/unlock", data={"csrf_token": csrf}, follow_redirects=False
        )
    assert response.status_code == 303
    assert fresh(db, member).locked_until is None


def test_members_cannot_unlock(client: TestClient, db: Any, make: Any, member: Any) -> None:
    member.locked_until = utcnow() + dt.timedelta(minutes=15)
    db.commit()
    other = make.token_headers(make.user(Role.SME, make.enterprise(EnterpriseSize.SMALL)))
    assert client.post(f"/api/v1/users/{member.id}/unlock", headers=other).status_code == 403


def test_password_reset_lifts_the_lock(
    client: TestClient, db: Any, member: Any, outbox: Outbox
) -> None:
    member.locked_until = utcnow() + dt.timedelta(minutes=15)
    db.commit()
    reset_password(client, member.email, outbox, NEW_PASSWORD)
    assert fresh(db, member).locked_until is None
    assert api_login(client, member.email, NEW_PASSWORD).status_code == 200


def reset_password(client: TestClient, email: str, outbox: Outbox, new: str) -> httpx.Response:
    """Ask for a reset link by mail and follow it with a new password."""
    client.get("/password/forgot")
    client.post("/password/forgot", data={"email": email, "csrf_token": client.cookies["mm_csrf"]})
    link = outbox()[-1].get_content().split("http://127.0.0.1:8000")[1].split()[0]
    form = {"password": new, "password_again": new, "csrf_token": client.cookies["mm_csrf"]}
    return client.post(link, data=form, follow_redirects=False)


# Password rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused(password: str) -> None:
    assert passwords.problem(password) == passwords.TOO_COMMON


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("123456789", passwords.TOO_SHORT),
        ("1234567890", passwords.NOT_MIXED),
        ("Zhang.wei@2026", passwords.PERSONAL),
        ("Demo-2026-matchmaker", None),
        (PASSWORD, None),
    ],
)
def test_password_rules_name_the_rule(password: str, rule: str | None) -> None:
    assert passwords.problem(password, email="zhangwei@example.cn", name="Zhang Wei") == rule


def test_bundled_list_has_ten_thousand_passwords() -> None:
    assert len(passwords.common_passwords()) >= 10_000


def test_signup_refuses_a_common_password(client: TestClient) -> None:
    client.get("/signup")
    form = {
        "csrf_token": client.cookies["mm_csrf"],
        "organisation": "浦东服务中心",
        "display_name": "李雷",
        "email": "lilei@example.cn",
        "password": "woaini1314",
        "password_again": "woaini1314",
    }
    response = client.post("/signup/organiser", data=form, follow_redirects=False)
    assert response.status_code == 422
    assert "该密码属于最常见的密码" in response.text


def test_password_change_refuses_a_common_password(client: TestClient, member: Any) -> None:
    csrf = api_login(client, member.email).json()["csrf_token"]
    response = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "Password123!"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "new_password", "message": passwords.TOO_COMMON}]


def test_reset_refuses_a_common_password(client: TestClient, member: Any, outbox: Outbox) -> None:
    response = reset_password(client, member.email, outbox, "qwerty123456")
    assert response.status_code == 422
    assert "该密码属于最常见的密码" in response.text


def test_admin_created_user_refuses_a_common_password(client: TestClient, make: Any) -> None:
    admin = make.token_headers(make.user(Role.ADMIN))
    body = {
        "email": "hanmeimei@example.cn",
        "password": "1qaz2wsx3edc",
        "display_name": "韩梅梅",
        "role": "organiser",
        "organisation": "浦东",
    }
    response = client.post("/api/v1/users", json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "password", "message": passwords.TOO_COMMON}]


# Sessions and tokens after a password change or reset ----------------------------------------


def test_password_change_ends_other_sessions_and_tokens_but_not_this_one(
    app: Any, db: Any, make: Any, member: Any
) -> None:
    here, elsewhere = TestClient(app), TestClient(app)
    csrf = api_login(here, member.email).json()["csrf_token"]
    api_login(elsewhere, member.email)
    token = make.token_headers(member)
    response = here.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 204
    statuses = [
        here.get("/api/v1/me").status_code,
        elsewhere.get("/api/v1/me").status_code,
        TestClient(app).get("/api/v1/me", headers=token).status_code,
    ]
    assert statuses == [200, 401, 401]
    assert len(db.scalars(select(LoginSession).where(LoginSession.user_id == member.id)).all()) == 1


def test_password_change_by_token_keeps_that_token_only(
    client: TestClient, make: Any, member: Any
) -> None:
    this, other = make.token_headers(member), make.token_headers(member)
    response = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=this,
    )
    assert response.status_code == 204
    statuses = [client.get("/api/v1/me", headers=h).status_code for h in (this, other)]
    assert statuses == [200, 401]


def test_reset_ends_every_session_and_token(
    app: Any, client: TestClient, db: Any, make: Any, member: Any, outbox: Outbox
) -> None:
    elsewhere = TestClient(app)
    api_login(elsewhere, member.email)
    token = make.token_headers(member)
    assert reset_password(client, member.email, outbox, NEW_PASSWORD).status_code == 303
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=token).status_code == 401
    tokens = db.scalars(select(ApiToken).where(ApiToken.user_id == member.id)).all()
    assert all(t.revoked_at is not None for t in tokens)


# Token scopes and expiry ---------------------------------------------------------------------


def bearer(db: Any, user: User, **values: Any) -> dict[str, str]:
    _token, raw = issue_token(db, user=user, data=TokenCreate(name="scoped", **values))
    return {"Authorization": f"Bearer {raw}"}


def test_read_token_may_only_get(client: TestClient, db: Any, member: Any) -> None:
    headers = bearer(db, member, scopes=[TokenScope.READ])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    refused = client.post("/api/v1/me/tokens", json={"name": "x"}, headers=headers)
    assert refused.status_code == 403
    assert "read scope" in refused.json()["detail"]


def test_default_tokens_read_and_write(client: TestClient, db: Any, member: Any) -> None:
    headers = bearer(db, member)
    created = client.post("/api/v1/me/tokens", json={"name": "x"}, headers=headers)
    assert created.status_code == 201
    assert created.json()["scopes"] == ["read", "write"]


def test_only_admin_scope_manages_users(client: TestClient, db: Any, make: Any) -> None:
    admin = make.user(Role.ADMIN)
    assert client.get("/api/v1/users", headers=bearer(db, admin)).status_code == 200
    limited = bearer(db, admin, scopes=[TokenScope.READ, TokenScope.WRITE])
    response = client.get("/api/v1/users", headers=limited)
    assert (response.status_code, "admin scope" in response.json()["detail"]) == (403, True)


def test_members_cannot_ask_for_the_admin_scope(client: TestClient, db: Any, member: Any) -> None:
    headers = bearer(db, member)
    body = {"name": "x", "scopes": ["admin"]}
    assert client.post("/api/v1/me/tokens", json=body, headers=headers).status_code == 422


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_expired_and_revoked_tokens_get_401(
    client: TestClient, db: Any, member: Any, state: str
) -> None:
    headers = bearer(db, member)
    token = db.scalars(select(ApiToken).where(ApiToken.user_id == member.id)).one()
    if state == "expired":
        token.expires_at = utcnow() - dt.timedelta(seconds=1)
    else:
        token.revoked_at = utcnow()
    db.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_account_page_lists_scopes_and_makes_read_tokens(app: Any, db: Any, member: Any) -> None:
    from conftest import page_login

    with TestClient(app) as browser:
        csrf = page_login(browser, member.email)
        form = {"name": "报表", "expires_in_days": "30", "scopes": "read", "csrf_token": csrf}
        created = browser.post("/account/tokens", data=form)
    assert created.status_code == 201
    assert "只读" in created.text and "读取" in created.text
    token = db.scalars(select(ApiToken).where(ApiToken.user_id == member.id)).one()
    assert token.scopes == "read"


def test_cli_issues_a_read_token(settings: Settings, member: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", settings.db_url)
    result = CliRunner().invoke(cli_app, ["users", "token", member.email, "--scope", "read"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("mm_")
