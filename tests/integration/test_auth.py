"""Authentication: login cookies, CSRF, API tokens, passwords, logout, and the HTML login."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from conftest import PASSWORD
from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.accounts import security
from matchmaker.accounts.models import LoginSession
from matchmaker.accounts.schemas import TokenCreate
from matchmaker.accounts.service import issue_token
from matchmaker.db import utcnow
from matchmaker.fields import EnterpriseSize, Role

NEW_PASSWORD = "Another-Horse-77"
Browser = Callable[[], TestClient]


@pytest.fixture
def browser(app: Any) -> Iterator[Browser]:
    """Fresh clients, each with its own cookie jar, for tests that need several sessions."""
    opened: list[TestClient] = []

    def open_one() -> TestClient:
        opened.append(TestClient(app))
        return opened[-1]

    yield open_one
    for one in opened:
        one.close()


@pytest.fixture
def member(make: Any) -> Any:
    """An SME member whose own enterprise they may edit."""
    return make.user(Role.SME, make.enterprise(EnterpriseSize.SMALL))


def cookie(response: httpx.Response, name: str) -> tuple[str, dict[str, str]]:
    """The value and lower-cased attributes of the Set-Cookie header for `name`."""
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        key, _, value = first.partition("=")
        if key == name:
            pairs = (attribute.partition("=") for attribute in attributes)
            return value, {k.lower(): v for k, _, v in pairs}
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def logged_in(browser: Browser, email: str) -> tuple[TestClient, str]:
    """A client holding a session cookie for `email`, and its CSRF token."""
    client = browser()
    response = login(client, email)
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"]


def me_status(client: TestClient, **headers: str) -> int:
    return client.get("/api/v1/me", headers=headers).status_code


def session_rows(db: Any) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(LoginSession.user_id)).all())


# API login -----------------------------------------------------------------------------------


def test_login_sets_httponly_lax_session_cookie(client: TestClient, member: Any, db: Any) -> None:
    response = login(client, member.email.upper())
    assert response.status_code == 200
    body = response.json()
    assert (body["user"]["id"], body["user"]["role"]) == (member.id, "sme")
    session, attributes = cookie(response, "mm_session")
    assert attributes == {
        "httponly": "",
        "max-age": str(14 * 86400),
        "path": "/",
        "samesite": "lax",
    }
    csrf, csrf_attributes = cookie(response, "mm_csrf")
    assert csrf == body["csrf_token"]
    assert "httponly" not in csrf_attributes and csrf_attributes["samesite"] == "lax"
    db.expire_all()
    stored = db.scalars(select(LoginSession.token_hash)).all()
    assert stored == [security.digest(session)]
    assert client.get("/api/v1/me").json()["id"] == member.id


@pytest.mark.parametrize(
    ("email", "password", "expected"),
    [
        ("member", "Wrong-Password-1", 401),
        ("nobody@example.cn", PASSWORD, 401),
        ("member", "", 422),
    ],
)
def test_login_wrong_credentials_refused(
    client: TestClient, member: Any, email: str, password: str, expected: int
) -> None:
    response = login(client, member.email if email == "member" else email, password)
    assert response.status_code == expected
    assert response.headers["content-type"] == "application/problem+json"
    assert "mm_session" not in response.headers.get("set-cookie", "")
    assert me_status(client) == 401


def test_login_deactivated_user_refused(client: TestClient, make: Any) -> None:
    user = make.user(Role.ORGANISER, is_active=False)
    response = login(client, user.email)
    assert response.status_code == 401
    assert response.json()["detail"] == "email or password is wrong, or the account is deactivated"


def test_deactivating_user_ends_sessions_and_tokens(
    browser: Browser, make: Any, member: Any
) -> None:
    admin = make.token_headers(make.user(Role.ADMIN))
    token = make.token_headers(member)
    session, _csrf = logged_in(browser, member.email)
    assert (me_status(session), me_status(browser(), **token)) == (200, 200)
    patched = browser().patch(
        f"/api/v1/users/{member.id}", json={"is_active": False}, headers=admin
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert (me_status(session), me_status(browser(), **token)) == (401, 401)


@pytest.mark.parametrize("field", ["role", "display_name", "is_active"])
def test_a_null_for_a_field_every_user_has_is_refused_and_changes_nothing(
    client: TestClient, make: Any, member: Any, field: str
) -> None:
    # Found by the API fuzz run: {"role": null} reached the database as a NOT NULL error.
    admin = make.token_headers(make.user(Role.ADMIN))
    url = f"/api/v1/users/{member.id}"
    before = client.get("/api/v1/users", headers=admin).json()
    response = client.patch(url, json={field: None, "organisation": "新名称"}, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert "may not be null" in response.json()["errors"][0]["message"]
    assert client.get("/api/v1/users", headers=admin).json() == before


# CSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csrf_header", "expected"), [(None, 403), ("wrong-token", 403), ("cookie", 200)]
)
def test_cookie_write_csrf_header_required(
    browser: Browser, member: Any, db: Any, csrf_header: str | None, expected: int
) -> None:
    client, csrf = logged_in(browser, member.email)
    headers = {} if csrf_header is None else {"X-CSRF-Token": csrf_header}
    if csrf_header == "cookie":
        headers["X-CSRF-Token"] = client.cookies["mm_csrf"]
        assert headers["X-CSRF-Token"] == csrf
    url = f"/api/v1/enterprises/{member.enterprise_id}"
    before = client.get(url).json()
    response = client.patch(url, json={"description": "经CSRF校验的修改"}, headers=headers)
    assert response.status_code == expected, response.text
    after = client.get(url).json()
    if expected == 200:
        assert after["description"] == "经CSRF校验的修改"
    else:
        assert response.json()["detail"] == (
            "CSRF check failed: send the mm_csrf cookie's value as X-CSRF-Token"
        )
        assert after == before


def test_bearer_write_needs_no_csrf(client: TestClient, make: Any, member: Any) -> None:
    url = f"/api/v1/enterprises/{member.enterprise_id}"
    response = client.patch(
        url, json={"description": "令牌修改"}, headers=make.token_headers(member)
    )
    assert response.status_code == 200, response.text
    assert client.get(url).json()["description"] == "令牌修改"


# API tokens ----------------------------------------------------------------------------------


def test_token_revoke_makes_token_fail(client: TestClient, make: Any, member: Any) -> None:
    bootstrap = make.token_headers(member)
    created = client.post("/api/v1/me/tokens", json={"name": "脚本"}, headers=bootstrap)
    assert created.status_code == 201
    token = created.json()
    assert token["token"].startswith("mm_") and token["prefix"] == token["token"][:10]
    own = {"Authorization": f"Bearer {token['token']}"}
    assert me_status(client, **own) == 200

    stranger = make.token_headers(make.user(Role.ADMIN))
    url = f"/api/v1/me/tokens/{token['id']}"
    assert client.delete(url, headers=stranger).status_code == 404
    assert me_status(client, **own) == 200

    revoked = client.delete(url, headers=bootstrap)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = client.get("/api/v1/me", headers=own)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert me_status(client, **bootstrap) == 200


def test_token_expired_fails(client: TestClient, db: Any, member: Any) -> None:
    token, raw = issue_token(db, user=member, data=TokenCreate(name="短期"))
    headers = {"Authorization": f"Bearer {raw}"}
    assert me_status(client, **headers) == 200
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "the API token is invalid, expired or revoked"


# Passwords and logout ------------------------------------------------------------------------


def test_password_change_ends_other_sessions(browser: Browser, member: Any, db: Any) -> None:
    first, csrf = logged_in(browser, member.email)
    second, _ = logged_in(browser, member.email)
    assert session_rows(db) == [member.id, member.id]
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = first.post("/api/v1/me/password", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204, response.text
    # The session that made the change stays (docs/security.md, Accounts and sessions).
    assert (me_status(first), me_status(second)) == (200, 401)
    assert session_rows(db) == [member.id]
    assert login(browser(), member.email).status_code == 401
    assert login(browser(), member.email, NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "errors"),
    [
        ("Wrong-Password-1", NEW_PASSWORD, [{"field": "current_password", "message": "is wrong"}]),
        (PASSWORD, "Short-1", [{"field": "new_password", "message": "password must have at least 10 characters"}]),
        (PASSWORD, "12345678901234", [{"field": "new_password", "message": "password must mix letters with digits or symbols"}]),
        (PASSWORD, "onlyletterspassword", [{"field": "new_password", "message": "password must mix letters with digits or symbols"}]),
    ],
    ids=["wrong-current", "too-short", "only-digits", "only-letters"],
)  # fmt: skip
def test_password_change_rules_enforced(
    browser: Browser, make: Any, member: Any, current: str, new: str, errors: list[Any]
) -> None:
    session, csrf = logged_in(browser, member.email)
    body = {"current_password": current, "new_password": new}
    response = session.post("/api/v1/me/password", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert me_status(session) == 200
    assert login(browser(), member.email, new).status_code == 401
    assert login(browser(), member.email).status_code == 200


def test_logout_ends_session(browser: Browser, member: Any, db: Any) -> None:
    client, csrf = logged_in(browser, member.email)
    raw_session = client.cookies["mm_session"]
    assert client.post("/api/v1/auth/logout").status_code == 403
    assert me_status(client) == 200

    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    value, attributes = cookie(response, "mm_session")
    assert (value, attributes["max-age"]) in {("", "0"), ('""', "0")}
    assert me_status(client) == 401
    assert session_rows(db) == []
    replay = browser().get("/api/v1/me", headers={"Cookie": f"mm_session={raw_session}"})
    assert replay.status_code == 401


# HTML pages ----------------------------------------------------------------------------------


def test_home_page_renders(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "大中小企业融通" in response.text
    assert cookie(response, "mm_csrf")[0] == client.cookies["mm_csrf"]


def page_login(client: TestClient, email: str, **extra: str) -> httpx.Response:
    form = {"email": email, "password": PASSWORD, **extra}
    return client.post("/login", data=form, follow_redirects=False)


def test_login_page_with_csrf_redirects_and_logs_in(client: TestClient, member: Any) -> None:
    form = client.get("/login")
    assert form.status_code == 200
    csrf = client.cookies["mm_csrf"]
    assert f'name="csrf_token" value="{csrf}"' in form.text
    response = page_login(client, member.email, csrf_token=csrf)
    assert (response.status_code, response.headers["location"]) == (303, "/dashboard")
    assert cookie(response, "mm_session")[1]["httponly"] == ""
    assert client.get("/api/v1/me").json()["id"] == member.id
    assert member.display_name in client.get("/").text


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_login_page_without_csrf_forbidden(
    client: TestClient, member: Any, token: str | None
) -> None:
    client.get("/login")
    extra = {} if token is None else {"csrf_token": token}
    response = page_login(client, member.email, **extra)
    assert response.status_code == 403
    assert "mm_session" not in response.headers.get("set-cookie", "")
    assert me_status(client) == 401


def test_login_page_wrong_password_shows_error(client: TestClient, member: Any) -> None:
    client.get("/login")
    form = {"email": member.email, "password": "Wrong-Password-1"}
    response = client.post(
        "/login", data={**form, "csrf_token": client.cookies["mm_csrf"]}, follow_redirects=False
    )
    assert response.status_code == 401
    assert "邮箱或密码错误，或账户已停用" in response.text
    assert me_status(client) == 401


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("evil.example", "/"),
        ("/api/docs", "/api/docs"),
    ],
)
def test_login_page_next_never_leaves_site(
    client: TestClient, member: Any, target: str, location: str
) -> None:
    form = client.get("/login", params={"next": target})
    assert f'name="next" value="{location}"' in form.text
    response = page_login(client, member.email, csrf_token=client.cookies["mm_csrf"], next=target)
    assert (response.status_code, response.headers["location"]) == (303, location)


# Rate limiting -------------------------------------------------------------------------------


def test_the_eleventh_wrong_login_is_refused_with_429_and_nothing_else_changes(
    client: TestClient, member: Any, make: Any, db: Any
) -> None:
    other = make.user(Role.SME, make.enterprise(EnterpriseSize.SMALL))
    statuses = [login(client, member.email, "Wrong-Password-1").status_code for _ in range(10)]
    assert statuses == [401] * 10
    refused = login(client, member.email)  # even the right password: the attempt is not tried
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["detail"] == "Too many attempts. Please wait a little and try again."
    assert "mm_session" not in refused.headers.get("set-cookie", "")
    assert session_rows(db) == []
    assert login(client, other.email).status_code == 200  # another address is not held up


def test_the_login_page_refuses_too_many_attempts_in_the_visitors_language(
    client: TestClient, member: Any
) -> None:
    client.get("/login")
    form = {"email": member.email, "password": "Wrong-Password-1"}
    form["csrf_token"] = client.cookies["mm_csrf"]
    statuses = [client.post("/login", data=form).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    refused = client.post("/login", data=form)
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    assert "尝试次数过多" in refused.text
    assert me_status(client) == 401


@pytest.mark.parametrize("path", ["/signup", "/password/forgot"])
def test_signup_and_reset_requests_are_limited_per_address(client: TestClient, path: str) -> None:
    client.get(path)
    form = {"email": "flood@example.cn", "csrf_token": client.cookies["mm_csrf"]}
    statuses = [client.post(path, data=form, follow_redirects=False).status_code for _ in range(6)]
    assert 429 not in statuses[:5]
    assert statuses[5] == 429
