"""Self-service sign-up: SMEs start at once, large firms and organisers wait for an admin."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from matchmaker.accounts.models import User
from matchmaker.enterprises.models import Enterprise
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.uscc import check_character

PASSWORD = "Sign-up-2026-ok"
USCC = "91310115MA1K00000" + check_character("91310115MA1K00000")


def enterprise_form(**changes: str) -> dict[str, str]:
    form = {
        "enterprise_name": "上海晨曦新材料有限公司",
        "size": "small",
        "district": "闵行区",
        "uscc": USCC,
        "contact_name": "王芳",
        "contact_phone": "021-64001234",
        "contact_email": "contact@chenxi.example.cn",
        "display_name": "王芳",
        "email": "wang.fang@chenxi.example.cn",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    return {**form, **changes}


def organiser_form(**changes: str) -> dict[str, str]:
    form = {
        "organisation": "闵行区中小企业服务中心",
        "display_name": "李明",
        "email": "li.ming@minhang.example.cn",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    return {**form, **changes}


def submit(client: TestClient, url: str, form: dict[str, str], csrf: bool = True) -> httpx.Response:
    client.get(url)
    data = {**form, "csrf_token": client.cookies["mm_csrf"]} if csrf else form
    return client.post(url, data=data, follow_redirects=False)


def counts(db: Any) -> tuple[int, int]:
    db.expire_all()
    users = db.scalar(select(func.count()).select_from(User))
    enterprises = db.scalar(select(func.count()).select_from(Enterprise))
    return users, enterprises


def api_login(client: TestClient, email: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})


def test_sme_signup_creates_enterprise_and_active_user_logged_in(
    client: TestClient, db: Any
) -> None:
    response = submit(client, "/signup", enterprise_form())
    assert (response.status_code, response.headers["location"]) == (303, "/dashboard")
    assert "mm_session=" in response.headers.get("set-cookie", "")
    me = client.get("/api/v1/me").json()
    assert (me["email"], me["role"], me["display_name"]) == (
        "wang.fang@chenxi.example.cn",
        "sme",
        "王芳",
    )
    db.expire_all()
    user = db.get(User, me["id"])
    enterprise = db.get(Enterprise, user.enterprise_id)
    assert user.confirmed_at is not None and user.is_active
    assert (
        enterprise.name,
        enterprise.size,
        enterprise.district,
        enterprise.uscc,
        enterprise.contact_name,
        enterprise.contact_phone,
        enterprise.contact_email,
    ) == (
        "上海晨曦新材料有限公司",
        EnterpriseSize.SMALL,
        "闵行区",
        USCC,
        "王芳",
        "021-64001234",
        "contact@chenxi.example.cn",
    )


@pytest.mark.parametrize(
    ("url", "form", "role", "belongs_to"),
    [
        ("/signup", enterprise_form(size="large"), Role.FIRM, "enterprise"),
        ("/signup/organiser", organiser_form(), Role.ORGANISER, "闵行区中小企业服务中心"),
    ],
    ids=["large-firm", "organiser"],
)
def test_firm_and_organiser_signup_wait_for_confirmation(
    client: TestClient, db: Any, url: str, form: dict[str, str], role: Role, belongs_to: str
) -> None:
    response = submit(client, url, form)
    assert (response.status_code, response.headers["location"]) == (303, "/signup/waiting")
    assert "mm_session=" not in response.headers.get("set-cookie", "")
    page = client.get("/signup/waiting")
    assert "管理员" in page.text and "确认" in page.text
    db.expire_all()
    user = db.scalar(select(User).where(User.email == form["email"]))
    assert (user.role, user.confirmed_at, user.is_active) == (role, None, True)
    if belongs_to == "enterprise":
        enterprise = db.get(Enterprise, user.enterprise_id)
        assert (enterprise.size, user.organisation) == (EnterpriseSize.LARGE, None)
    else:
        assert (user.enterprise_id, user.organisation) == (None, belongs_to)
    refused = api_login(client, form["email"])
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "the account is waiting for confirmation by an administrator"
    )


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("enterprise_name", {"enterprise_name": "  "}),
        ("size", {"size": "huge"}),
        ("district", {"district": "海淀区"}),
        ("uscc", {"uscc": "91310115MA1K000000"}),
        ("contact_phone", {"contact_phone": "call me"}),
        ("email", {"email": "not-an-email"}),
        ("password", {"password": "short1", "password_again": "short1"}),
        ("password_again", {"password_again": "Something-else-1"}),
    ],
)
def test_signup_invalid_field_shown_and_nothing_saved(
    client: TestClient, db: Any, field: str, changes: dict[str, str]
) -> None:
    before = counts(db)
    response = submit(client, "/signup", enterprise_form(**changes))
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert f'href="#f-{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert PASSWORD not in response.text
    assert counts(db) == before
    assert "mm_session=" not in response.headers.get("set-cookie", "")


def test_signup_field_errors_in_chinese(client: TestClient) -> None:
    form = enterprise_form(enterprise_name="", password_again="Something-else-1")
    response = submit(client, "/signup", form)
    assert response.status_code == 422
    assert '<a href="#f-enterprise_name">此项为必填。</a>' in response.text
    assert '<a href="#f-password_again">两次输入的密码不一致。</a>' in response.text


@pytest.mark.parametrize(
    ("field", "message"),
    [("email", "该邮箱已注册"), ("uscc", "该统一社会信用代码已注册")],
)
def test_signup_duplicate_email_or_uscc_is_field_error(
    client: TestClient, db: Any, make: Any, field: str, message: str
) -> None:
    make.user(Role.SME, make.enterprise(), email="taken@example.cn")
    make.enterprise(uscc=USCC)
    form = enterprise_form(
        email="taken@example.cn" if field == "email" else "free@example.cn",
        uscc=USCC if field == "uscc" else "",
    )
    before = counts(db)
    response = submit(client, "/signup", form)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert message in response.text
    assert counts(db) == before


def test_signup_duplicate_email_of_organiser_is_field_error(
    client: TestClient, db: Any, make: Any
) -> None:
    make.user(Role.ORGANISER, email="li.ming@minhang.example.cn")
    before = counts(db)
    response = submit(client, "/signup/organiser", organiser_form())
    assert response.status_code == 422
    assert 'id="f-email-error"' in response.text
    assert counts(db) == before


@pytest.mark.parametrize(
    ("url", "form"), [("/signup", enterprise_form()), ("/signup/organiser", organiser_form())]
)
def test_signup_without_csrf_forbidden(
    client: TestClient, db: Any, url: str, form: dict[str, str]
) -> None:
    before = counts(db)
    response = submit(client, url, form, csrf=False)
    assert response.status_code == 403
    assert counts(db) == before


def test_signup_pages_render_both_kinds(client: TestClient) -> None:
    enterprise = client.get("/signup")
    organiser = client.get("/signup/organiser")
    assert (enterprise.status_code, organiser.status_code) == (200, 200)
    assert 'id="f-enterprise_name"' in enterprise.text and 'id="f-size"' in enterprise.text
    assert 'id="f-organisation"' in organiser.text
    assert 'id="f-enterprise_name"' not in organiser.text
