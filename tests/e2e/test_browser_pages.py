"""The pages that exist today load, pass axe (WCAG A/AA, serious and critical) and get screenshots.

Text locators accept the Chinese text or its English message id, so these tests check the
pages' structure and leave the translations to their own tests.
"""

from __future__ import annotations

import re
from typing import Any

LOGIN = re.compile("登录|Log in")
LOGOUT = re.compile("退出|Log out")
NEEDS_BY_TYPE = re.compile("开放需求|Open needs by type")
NEED_TYPES = 5  # technology, supply chain, investment, incubation, service


def test_home_page_loads(page: Any, expect: Any, screenshot: Any) -> None:
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")  # Chinese first
    expect(page).to_have_title(re.compile("matchmaker"))
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    table = page.get_by_role("table", name=NEEDS_BY_TYPE)
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(1 + NEED_TYPES)  # header row + one per type

    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name=LOGIN)).to_be_visible()
    expect(header.get_by_role("button", name=LOGOUT)).to_have_count(0)
    screenshot(page, "home")


def test_home_page_is_accessible(page: Any, assert_accessible: Any) -> None:
    page.goto("/")
    assert_accessible(page, "home")


def test_login_page_loads(page: Any, expect: Any, screenshot: Any) -> None:
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name=LOGIN).click()
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1, name=LOGIN)).to_be_visible()
    email = main.get_by_label(re.compile("邮箱|Email"))
    expect(email).to_be_visible()
    expect(email).to_have_attribute("type", "email")
    expect(main.get_by_label(re.compile("密码|Password"))).to_have_attribute("type", "password")
    expect(main.get_by_role("button", name=LOGIN)).to_be_enabled()
    expect(main.get_by_role("alert")).to_have_count(0)
    screenshot(page, "login")


def test_login_page_is_accessible(page: Any, assert_accessible: Any) -> None:
    page.goto("/login")
    assert_accessible(page, "login")
