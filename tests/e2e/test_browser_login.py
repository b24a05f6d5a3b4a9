"""Logging in and out through the /login form, as every demo user, and with a wrong password."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

USERS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "users.jsonl"
DEMO_USERS = [
    json.loads(line) for line in USERS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
]
SESSION_COOKIE = "mm_session"
LOGIN = re.compile("登录|Log in")
LOGOUT = re.compile("退出|Log out")


def _session_cookies(page: Any) -> list[Any]:
    return [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]


@pytest.mark.parametrize("user", DEMO_USERS, ids=[u["email"].split("@")[0] for u in DEMO_USERS])
def test_each_demo_user_logs_in_and_out(
    page: Any, expect: Any, login: Any, screenshot: Any, user: dict[str, Any]
) -> None:
    login(page, user["email"], next="/")

    expect(page).to_have_url(re.compile(r"/$"))
    header = page.get_by_role("banner")
    expect(header.get_by_text(user["display_name"])).to_be_visible()
    expect(header.get_by_role("button", name=LOGOUT)).to_be_visible()
    expect(header.get_by_role("link", name=LOGIN)).to_have_count(0)
    assert _session_cookies(page), "no session cookie after logging in"
    screenshot(page, f"home-{user['email'].split('@')[0]}")

    header.get_by_role("button", name=LOGOUT).click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(header.get_by_role("link", name=LOGIN)).to_be_visible()
    expect(header.get_by_role("button", name=LOGOUT)).to_have_count(0)
    expect(header.get_by_text(user["display_name"])).to_have_count(0)
    assert not _session_cookies(page), "session cookie still set after logging out"
    page.reload()  # and the next request is anonymous too
    expect(header.get_by_role("link", name=LOGIN)).to_be_visible()


def test_logged_in_header_is_accessible(page: Any, login: Any, assert_accessible: Any) -> None:
    login(page, "admin@demo.example.cn")
    assert_accessible(page, "home (logged in)")


def test_wrong_password_shows_error_and_does_not_log_in(
    page: Any, expect: Any, login: Any, screenshot: Any, assert_accessible: Any
) -> None:
    email = "firm@demo.example.cn"
    response = login(page, email, "not-the-password", expect_success=False)

    assert response.status == 401
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))
    main = page.get_by_role("main")
    expect(main.get_by_role("alert")).to_be_visible()
    expect(main.get_by_role("alert")).not_to_have_text(re.compile(r"^\s*$"))
    expect(main.get_by_label(re.compile("邮箱|Email"))).to_have_value(email)
    expect(main.get_by_label(re.compile("密码|Password"))).to_have_value("")
    header = page.get_by_role("banner")
    expect(header.get_by_role("button", name=LOGOUT)).to_have_count(0)
    expect(header.get_by_role("link", name=LOGIN)).to_be_visible()
    assert not _session_cookies(page), "a failed login set a session cookie"
    screenshot(page, "login-error")
    assert_accessible(page, "login (error)")

    page.goto("/")  # and the next page is still anonymous
    expect(header.get_by_role("link", name=LOGIN)).to_be_visible()
    expect(header.get_by_role("button", name=LOGOUT)).to_have_count(0)
