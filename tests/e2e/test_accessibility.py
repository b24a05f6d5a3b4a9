"""axe-core finds no serious or critical problem on the main pages of each role."""

from __future__ import annotations

from typing import Any

import pytest

PAGES = {
    None: ["/", "/needs", "/needs?q=电子特气&type=supply_chain", "/needs/need-001", "/signup"],
    "firm@demo.example.cn": ["/my/needs", "/needs/need-002", "/needs/need-001/answers", "/inbox",
                             "/account", "/enterprise/edit"],
    "sme@demo.example.cn": ["/dashboard", "/my/profiles", "/profiles/prof-0001/edit",
                            "/my/introductions"],
    "organiser@demo.example.cn": ["/dashboard", "/admin/needs", "/admin/enterprises",
                                  "/admin/profiles", "/admin/users"],
}  # fmt: skip
CASES = [(user, path) for user, paths in PAGES.items() for path in paths]


@pytest.mark.parametrize(("user", "path"), CASES, ids=[f"{u or 'anon'}:{p}" for u, p in CASES])
def test_main_page_is_accessible(
    page: Any, login: Any, assert_accessible: Any, user: str | None, path: str
) -> None:
    if user is not None:
        login(page, user, next="/")
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert_accessible(page, f"{user or 'anonymous'} {path}")
