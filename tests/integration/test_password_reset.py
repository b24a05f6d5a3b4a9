"""Forgotten passwords: one answer for every email, a one-time link by mail, valid one hour."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from conftest import PASSWORD
from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.accounts import security
from matchmaker.accounts.models import PasswordReset
from matchmaker.db import utcnow
from matchmaker.fields import Role

NEW_PASSWORD = "Brand-New-Pass-88"
Outbox = Callable[[], list[EmailMessage]]


@pytest.fixture
def member(make: Any) -> Any:
    return make.user(Role.SME, make.enterprise(), display_name="赵敏")


def post_form(client: TestClient, url: str, form: dict[str, str], csrf: bool = True) -> Any:
    if "mm_csrf" not in client.cookies:
        client.get("/password/forgot")
    data = {**form, "csrf_token": client.cookies["mm_csrf"]} if csrf else form
    return client.post(url, data=data, follow_redirects=False)


def ask(client: TestClient, email: str) -> Any:
    return post_form(client, "/password/forgot", {"email": email})


def token_in(message: EmailMessage) -> str:
    body = message.get_content()
    found = re.search(r"^http://127\.0\.0\.1:8000/password/reset/([A-Za-z0-9_-]+)$", body, re.M)
    assert found, body
    return found.group(1)


def reset(client: TestClient, token: str, password: str, again: str | None = None) -> Any:
    form = {"password": password, "password_again": again or password}
    return post_form(client, f"/password/reset/{token}", form)


def login_status(client: TestClient, email: str, password: str) -> int:
    """Try a login from a fresh browser, so this client's own cookies stay out of it."""
    with TestClient(client.app) as fresh:
        body = {"email": email, "password": password}
        return fresh.post("/api/v1/auth/login", json=body).status_code


def resets(db: Any) -> list[PasswordReset]:
    db.expire_all()
    return list(db.scalars(select(PasswordReset)))


def test_forgot_password_same_answer_for_known_and_unknown_email(
    client: TestClient, db: Any, member: Any, outbox: Outbox
) -> None:
    known = ask(client, member.email.upper())
    unknown = ask(client, "nobody@example.cn")
    assert (known.status_code, known.headers["location"]) == (303, "/password/forgot/sent")
    assert (unknown.status_code, unknown.headers["location"]) == (303, "/password/forgot/sent")
    assert known.text == unknown.text
    assert "如果该邮箱已注册" in client.get("/password/forgot/sent").text
    [mail] = outbox()
    token = token_in(mail)
    assert (mail["To"], mail["Subject"]) == (member.email, "重置您的密码")
    assert "赵敏，您好" in mail.get_content()
    [row] = resets(db)
    assert (row.token_hash, row.user_id, row.used_at) == (security.digest(token), member.id, None)
    assert row.expires_at - row.created_at == dt.timedelta(hours=1)


def test_forgot_password_mail_in_page_language(
    client: TestClient, member: Any, outbox: Outbox
) -> None:
    client.cookies.set("mm_lang", "en")
    ask(client, member.email)
    [mail] = outbox()
    assert mail["Subject"] == "Reset your password"
    assert "Open this link within one hour" in mail.get_content()


def test_forgot_password_deactivated_user_gets_no_mail(
    client: TestClient, db: Any, make: Any, outbox: Outbox
) -> None:
    user = make.user(Role.SME, make.enterprise(), is_active=False)
    assert ask(client, user.email).headers["location"] == "/password/forgot/sent"
    assert (outbox(), resets(db)) == ([], [])


def test_forgot_password_malformed_email_is_field_error(client: TestClient, db: Any) -> None:
    response = ask(client, "not an email")
    assert response.status_code == 422
    assert 'id="f-email-error"' in response.text
    assert resets(db) == []


def test_reset_link_sets_password_once_and_ends_sessions(
    client: TestClient, app: Any, member: Any, outbox: Outbox
) -> None:
    with TestClient(app) as elsewhere:
        body = {"email": member.email, "password": PASSWORD}
        assert elsewhere.post("/api/v1/auth/login", json=body).status_code == 200
        ask(client, member.email)
        token = token_in(outbox()[0])
        form = client.get(f"/password/reset/{token}")
        assert form.status_code == 200
        assert form.headers["referrer-policy"] == "no-referrer"
        assert 'id="f-password_again"' in form.text
        done = reset(client, token, NEW_PASSWORD)
        assert (done.status_code, done.headers["location"]) == (303, "/login")
        assert elsewhere.get("/api/v1/me").status_code == 401
    assert login_status(client, member.email, PASSWORD) == 401
    assert login_status(client, member.email, NEW_PASSWORD) == 200
    again = client.get(f"/password/reset/{token}")
    assert again.status_code == 410
    assert "该密码重置链接无效、已使用或已过期" in again.text
    assert reset(client, token, "Third-Password-3").status_code == 410
    assert login_status(client, member.email, NEW_PASSWORD) == 200


def test_reset_uses_up_every_open_link_of_the_user(
    client: TestClient, db: Any, member: Any, outbox: Outbox
) -> None:
    ask(client, member.email)
    ask(client, member.email)
    first, second = (token_in(mail) for mail in outbox())
    assert reset(client, second, NEW_PASSWORD).status_code == 303
    assert reset(client, first, "Third-Password-3").status_code == 410
    assert all(row.used_at is not None for row in resets(db))


def test_reset_link_expired_after_one_hour(
    client: TestClient, db: Any, member: Any, outbox: Outbox
) -> None:
    ask(client, member.email)
    token = token_in(outbox()[0])
    [row] = resets(db)
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.commit()
    assert client.get(f"/password/reset/{token}").status_code == 410
    assert reset(client, token, NEW_PASSWORD).status_code == 410
    assert login_status(client, member.email, PASSWORD) == 200


def test_reset_unknown_token_refused(client: TestClient) -> None:
    assert client.get("/password/reset/not-a-token").status_code == 410


@pytest.mark.parametrize(
    ("password", "again", "field", "message"),
    [
        (NEW_PASSWORD, "Other-Password-9", "password_again", "两次输入的密码不一致。"),
        ("short-1", "short-1", "password", "密码至少需要 10 个字符"),
        ("onlyletterspassword", "onlyletterspassword", "password", "密码须同时包含字母和数字或符号"),
    ],
    ids=["mismatch", "too-short", "only-letters"],
)  # fmt: skip
def test_reset_invalid_password_shown_and_link_kept(
    client: TestClient,
    member: Any,
    outbox: Outbox,
    password: str,
    again: str,
    field: str,
    message: str,
) -> None:
    ask(client, member.email)
    token = token_in(outbox()[0])
    response = reset(client, token, password, again)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text and message in response.text
    assert login_status(client, member.email, PASSWORD) == 200
    assert reset(client, token, NEW_PASSWORD).status_code == 303


def test_forgot_and_reset_without_csrf_forbidden(
    client: TestClient, db: Any, member: Any, outbox: Outbox
) -> None:
    refused = post_form(client, "/password/forgot", {"email": member.email}, csrf=False)
    assert refused.status_code == 403
    assert (outbox(), resets(db)) == ([], [])
    ask(client, member.email)
    token = token_in(outbox()[0])
    form = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    response: httpx.Response = post_form(client, f"/password/reset/{token}", form, csrf=False)
    assert response.status_code == 403
    assert [row.used_at for row in resets(db)] == [None]
    assert login_status(client, member.email, PASSWORD) == 200
