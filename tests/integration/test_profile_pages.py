"""SME pages: write capability profiles (with live preview), read them, edit the enterprise."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from conftest import PASSWORD
from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.enterprises.models import Enterprise
from matchmaker.fields import EnterpriseSize, NeedType, ProfileStatus, Role
from matchmaker.profiles.models import CapabilityProfile

GAS_PROFILE = {
    "title": "高纯电子特气研发与供应",
    "summary": "为12英寸晶圆厂提供三氟化氮、六氟化钨等高纯电子特气，具备6N纯度提纯与钢瓶处理能力。",
    "capabilities": "气体纯化\n钢瓶处理",
    "products": "三氟化氮；六氟化钨",
    "certifications": "ISO 9001",
    "regions": "上海\n长三角",
    "open_to": ["supply_chain", "technology"],
    "funding_stage": "",
}


def log_in(client: TestClient, user: Any) -> str:
    """Log in through the HTML form; returns the CSRF token for later forms."""
    client.get("/login")
    form = {"email": user.email, "password": PASSWORD, "csrf_token": client.cookies["mm_csrf"]}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.cookies["mm_csrf"]  # logging in issues a fresh token


def post(client: TestClient, url: str, data: dict[str, Any], csrf: str | None) -> httpx.Response:
    form = dict(data) if csrf is None else {**data, "csrf_token": csrf}
    return client.post(url, data=form, follow_redirects=False)


def stored(db: Any, profile_id: str) -> CapabilityProfile:
    db.expire_all()
    profile = db.get(CapabilityProfile, profile_id)
    assert profile is not None
    return profile


@pytest.fixture
def sme(make: Any) -> Enterprise:
    enterprise: Enterprise = make.enterprise(EnterpriseSize.SMALL)
    return enterprise


@pytest.fixture
def member(make: Any, sme: Enterprise) -> Any:
    return make.user(Role.SME, sme)


def test_profile_created_and_published_through_pages(
    client: TestClient, db: Any, sme: Enterprise, member: Any
) -> None:
    csrf = log_in(client, member)
    assert client.get("/profiles/new").status_code == 200
    response = post(client, "/profiles/new", {**GAS_PROFILE, "action": "publish"}, csrf)
    assert response.status_code == 303
    profile = db.scalars(select(CapabilityProfile)).one()
    assert response.headers["location"] == f"/profiles/{profile.id}"
    assert (profile.enterprise_id, profile.status) == (sme.id, ProfileStatus.PUBLISHED)
    assert profile.capabilities == ["气体纯化", "钢瓶处理"]
    assert profile.products == ["三氟化氮", "六氟化钨"]
    assert (profile.regions, profile.funding_stage) == (["上海", "长三角"], None)
    assert profile.open_to == [NeedType.SUPPLY_CHAIN, NeedType.TECHNOLOGY]
    page = client.get(f"/profiles/{profile.id}")
    assert "高纯电子特气研发与供应" in page.text
    assert "已发布" in page.text


def test_saved_draft_shows_preview_on_edit_page(client: TestClient, db: Any, member: Any) -> None:
    csrf = log_in(client, member)
    draft = {**GAS_PROFILE, "certifications": "", "action": "draft"}
    response = post(client, "/profiles/new", draft, csrf)
    profile = db.scalars(select(CapabilityProfile)).one()
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/profiles/{profile.id}/edit",
    )
    assert profile.status is ProfileStatus.DRAFT
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "草稿已保存" in page.text
    preview = page.text.split('id="profile-preview"')[1]
    assert "电子特气" in preview and "集成电路" in preview
    assert "未填写资质认证" in preview


def test_profile_edited_and_unpublished_through_pages(
    client: TestClient, db: Any, make: Any, sme: Enterprise, member: Any
) -> None:
    profile = make.profile(sme)
    csrf = log_in(client, member)
    form = client.get(f"/profiles/{profile.id}/edit")
    assert form.status_code == 200 and 'value="电子特气供应' in form.text
    changed = {**GAS_PROFILE, "title": "电子特气与湿化学品", "segments": ["ic.electronic_gases"]}
    response = post(client, f"/profiles/{profile.id}/edit", {**changed, "action": "draft"}, csrf)
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/profiles/{profile.id}/edit",
    )
    saved = stored(db, profile.id)
    assert (saved.title, saved.status) == ("电子特气与湿化学品", ProfileStatus.DRAFT)
    assert (saved.segments, saved.certifications) == (["ic.electronic_gases"], ["ISO 9001"])


def test_invalid_new_profile_shows_field_errors_and_saves_nothing(
    client: TestClient, db: Any, member: Any
) -> None:
    csrf = log_in(client, member)
    invalid = {**GAS_PROFILE, "title": "  ", "open_to": ["space_travel"], "action": "publish"}
    response = post(client, "/profiles/new", invalid, csrf)
    assert response.status_code == 422
    assert 'id="f-title-error"' in response.text and "此项为必填" in response.text
    assert 'id="f-open_to-error"' in response.text
    assert "三氟化氮；六氟化钨" in response.text  # what was typed is shown again
    assert db.scalars(select(CapabilityProfile)).all() == []


def test_invalid_edit_shows_field_errors_and_changes_nothing(
    client: TestClient, db: Any, make: Any, sme: Enterprise, member: Any
) -> None:
    profile = make.profile(sme, title="原标题")
    csrf = log_in(client, member)
    invalid = {**GAS_PROFILE, "summary": "", "segments": ["no.such_segment"], "action": "publish"}
    response = post(client, f"/profiles/{profile.id}/edit", invalid, csrf)
    assert response.status_code == 422
    assert 'id="f-summary-error"' in response.text and 'id="f-segments-error"' in response.text
    assert stored(db, profile.id).title == "原标题"


@pytest.mark.parametrize(
    ("status", "expected"), [(ProfileStatus.PUBLISHED, 403), (ProfileStatus.DRAFT, 404)]
)
def test_other_smes_profile_cannot_be_edited(
    client: TestClient, db: Any, make: Any, member: Any, status: ProfileStatus, expected: int
) -> None:
    other = make.profile(make.enterprise(EnterpriseSize.SMALL), title="别家画像", status=status)
    csrf = log_in(client, member)
    assert client.get(f"/profiles/{other.id}/edit").status_code == expected
    response = post(client, f"/profiles/{other.id}/edit", {**GAS_PROFILE, "action": "draft"}, csrf)
    assert response.status_code == expected
    assert (stored(db, other.id).title, stored(db, other.id).status) == ("别家画像", status)


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_profile_forms_without_csrf_forbidden(
    client: TestClient, db: Any, make: Any, sme: Enterprise, member: Any, token: str | None
) -> None:
    profile = make.profile(sme, title="原标题")
    log_in(client, member)
    changed = {**GAS_PROFILE, "action": "publish"}
    assert post(client, f"/profiles/{profile.id}/edit", changed, token).status_code == 403
    assert post(client, "/profiles/new", changed, token).status_code == 403
    assert post(client, "/profiles/preview", changed, token).status_code == 403
    assert stored(db, profile.id).title == "原标题"
    assert db.scalars(select(CapabilityProfile.id)).all() == [profile.id]


def test_preview_names_segment_and_gives_advice(client: TestClient, member: Any) -> None:
    csrf = log_in(client, member)
    client.cookies.set("mm_lang", "en")
    typed = {**GAS_PROFILE, "certifications": "", "open_to": []}
    response = post(client, "/profiles/preview", typed, csrf)
    assert response.status_code == 200
    assert "<html" not in response.text  # a partial for htmx
    assert "Electronic specialty gases" in response.text
    assert "Integrated circuits" in response.text
    assert "No certification listed" in response.text
    assert "Not open to any need type" in response.text


def test_preview_of_vague_text_asks_for_products(client: TestClient, member: Any) -> None:
    csrf = log_in(client, member)
    client.cookies.set("mm_lang", "en")
    vague = {"title": "我们是一家公司", "summary": "欢迎合作"}
    response = post(client, "/profiles/preview", vague, csrf)
    assert response.status_code == 200
    assert "No chain segment recognised: name your products and processes." in response.text


def test_firm_member_cannot_write_profiles(client: TestClient, db: Any, make: Any) -> None:
    firm_user = make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE))
    csrf = log_in(client, firm_user)
    assert client.get("/profiles/new").status_code == 403
    assert (
        post(client, "/profiles/new", {**GAS_PROFILE, "action": "draft"}, csrf).status_code == 403
    )
    assert client.get("/my/profiles").status_code == 403
    assert db.scalars(select(CapabilityProfile)).all() == []


def test_my_profiles_lists_own_profiles_with_status(
    client: TestClient, make: Any, sme: Enterprise, member: Any
) -> None:
    make.profile(sme, title="已发布画像")
    draft = make.profile(sme, title="草稿画像", status=ProfileStatus.DRAFT)
    make.profile(make.enterprise(EnterpriseSize.SMALL), title="别家画像")
    log_in(client, member)
    page = client.get("/my/profiles")
    assert page.status_code == 200
    assert "已发布画像" in page.text and "草稿画像" in page.text
    assert "别家画像" not in page.text
    assert f'href="/profiles/{draft.id}/edit"' in page.text


def test_profile_page_shows_contacts_only_to_whom_the_privacy_rule_allows(
    client: TestClient, make: Any, sme: Enterprise, member: Any
) -> None:
    profile = make.profile(sme)
    firm_user = make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE))
    log_in(client, firm_user)
    page = client.get(f"/profiles/{profile.id}")
    assert page.status_code == 200 and profile.title in page.text
    assert sme.contact_email not in page.text
    client.cookies.clear()
    log_in(client, member)
    assert sme.contact_email in client.get(f"/profiles/{profile.id}").text


def test_draft_profile_page_hidden_from_other_enterprises(client: TestClient, make: Any) -> None:
    draft = make.profile(make.enterprise(EnterpriseSize.SMALL), status=ProfileStatus.DRAFT)
    log_in(client, make.user(Role.SME, make.enterprise(EnterpriseSize.SMALL)))
    assert client.get(f"/profiles/{draft.id}").status_code == 404


# Enterprise details ---------------------------------------------------------------------------


def test_enterprise_edited_through_page(client: TestClient, db: Any, make: Any) -> None:
    enterprise = make.enterprise(EnterpriseSize.SMALL, tags=["自定义标签"])
    member = make.user(Role.SME, enterprise)
    csrf = log_in(client, member)
    assert client.get("/enterprise/edit").status_code == 200
    form = {"name": "上海新名字科技有限公司", "district": "闵行区", "tags": ["专精特新"],
            "employees": "120", "founded": "2015", "description": "电子特气研发",
            "contact_name": "王经理", "contact_phone": "021-12345678",
            "contact_email": "Wang@Example.cn"}  # fmt: skip
    response = post(client, "/enterprise/edit", form, csrf)
    assert (response.status_code, response.headers["location"]) == (303, "/enterprise/edit")
    db.expire_all()
    saved = db.get(Enterprise, enterprise.id)
    assert (saved.name, saved.district, saved.employees, saved.founded) == (
        "上海新名字科技有限公司",
        "闵行区",
        120,
        2015,
    )
    assert saved.tags == ["自定义标签", "专精特新"]
    assert saved.contact_email == "wang@example.cn"


def test_invalid_enterprise_edit_shows_errors_and_changes_nothing(
    client: TestClient, db: Any, sme: Enterprise, member: Any
) -> None:
    csrf = log_in(client, member)
    form = {"name": "", "employees": "many", "contact_email": "not-an-email"}
    response = post(client, "/enterprise/edit", form, csrf)
    assert response.status_code == 422
    for name in ("name", "employees", "contact_email"):
        assert f'id="f-{name}-error"' in response.text
    db.expire_all()
    assert db.get(Enterprise, sme.id).name == sme.name


def test_enterprise_edit_without_csrf_forbidden(
    client: TestClient, db: Any, sme: Enterprise, member: Any
) -> None:
    log_in(client, member)
    response = post(client, "/enterprise/edit", {"name": "改名"}, None)
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Enterprise, sme.id).name == sme.name


def test_admin_manages_an_smes_profiles_by_enterprise(
    client: TestClient, db: Any, make: Any, sme: Enterprise
) -> None:
    make.profile(sme, title="该企业的画像")
    admin = make.user(Role.ADMIN)
    csrf = log_in(client, admin)
    listing = client.get("/my/profiles", params={"enterprise": sme.id})
    assert listing.status_code == 200 and "该企业的画像" in listing.text
    assert f'href="/profiles/new?enterprise={sme.id}"' in listing.text
    form = client.get("/profiles/new", params={"enterprise": sme.id})
    assert f'id="f-enterprise_id" name="enterprise_id" type="text" value="{sme.id}"' in form.text
    data = {**GAS_PROFILE, "enterprise_id": sme.id, "action": "draft"}
    assert post(client, "/profiles/new", data, csrf).status_code == 303
    titles = db.scalars(
        select(CapabilityProfile.title).where(CapabilityProfile.enterprise_id == sme.id)
    ).all()
    assert sorted(titles) == sorted(["该企业的画像", GAS_PROFILE["title"]])
