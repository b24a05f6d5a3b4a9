"""Need pages: posting with validation, lifecycle, permissions and confidentiality."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import page_login
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from matchmaker.fields import EnterpriseSize, NeedStatus, Role
from matchmaker.needs.models import Need

VALID = {
    "type": "supply_chain",
    "title": "12英寸晶圆厂电子特气本地化供应",
    "description": "寻找可稳定供应高纯NF3、WF6电子特气的本地供应商，年用量约200吨。",
    "requirements": "纯度 6N 以上\n24 小时应急响应",
    "certifications": "ISO 9001",
    "regions": "上海\n长三角",
    "budget_min": "500",
    "budget_max": "1200",
    "deadline": "",
    "public_summary": "",
}


@pytest.fixture
def firm(make: Any) -> Any:
    enterprise = make.enterprise(EnterpriseSize.LARGE, contact_phone="021-60001111")
    return make.user(Role.FIRM, enterprise), enterprise


def _need_count(db: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count(Need.id))))


def test_firm_posts_and_publishes_a_need(client: TestClient, firm: Any, db: Any) -> None:
    user, enterprise = firm
    csrf = page_login(client, user.email)
    data = {**VALID, "csrf_token": csrf, "action": "publish"}
    response = client.post("/needs/new", data=data, follow_redirects=False)
    assert response.status_code == 303
    need_id = response.headers["location"].removeprefix("/needs/")
    need = db.get(Need, need_id)
    assert (need.status, need.enterprise_id) == (NeedStatus.OPEN, enterprise.id)
    assert need.requirements == ["纯度 6N 以上", "24 小时应急响应"]
    assert (need.budget_min, need.budget_max) == (500.0, 1200.0)
    page = client.get(response.headers["location"])
    assert "12英寸晶圆厂电子特气本地化供应" in page.text
    assert "需求已发布。" in page.text


def test_bad_need_form_shows_field_errors_and_saves_nothing(
    client: TestClient, firm: Any, db: Any
) -> None:
    user, _ = firm
    csrf = page_login(client, user.email)
    before = _need_count(db)
    data = {**VALID, "title": "", "budget_min": "900", "budget_max": "100", "csrf_token": csrf}
    response = client.post("/needs/new", data={**data, "action": "publish"})
    assert response.status_code == 422
    assert re.search(r'id="f-title"[^>]*aria-invalid="true"', response.text)
    assert re.search(r'id="f-budget_max"[^>]*aria-invalid="true"', response.text)
    assert 'value="900"' in response.text  # what the user typed is kept
    assert _need_count(db) == before


def test_confidential_need_without_summary_is_refused_at_the_field(
    client: TestClient, firm: Any, db: Any
) -> None:
    user, _ = firm
    csrf = page_login(client, user.email)
    data = {**VALID, "confidential": "on", "csrf_token": csrf, "action": "publish"}
    response = client.post("/needs/new", data=data)
    assert response.status_code == 422
    assert re.search(r'id="f-public_summary"[^>]*aria-invalid="true"', response.text)


def test_need_form_without_csrf_is_refused(client: TestClient, firm: Any, db: Any) -> None:
    user, _ = firm
    page_login(client, user.email)
    before = _need_count(db)
    response = client.post("/needs/new", data={**VALID, "action": "publish"})
    assert response.status_code == 403
    assert _need_count(db) == before


def test_sme_cannot_open_or_post_another_firms_edit_page(
    client: TestClient, firm: Any, make: Any, db: Any
) -> None:
    _, enterprise = firm
    need = make.need(enterprise)
    sme = make.user(Role.SME, make.enterprise())
    csrf = page_login(client, sme.email)
    assert client.get(f"/needs/{need.id}/edit").status_code == 403
    data = {**VALID, "title": "hijacked", "csrf_token": csrf}
    assert client.post(f"/needs/{need.id}/edit", data=data).status_code == 403
    db.expire_all()
    assert db.get(Need, need.id).title != "hijacked"


def test_anonymous_visitor_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/needs/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/needs/new"


def test_lifecycle_close_reopen_and_duplicate(
    client: TestClient, firm: Any, make: Any, db: Any
) -> None:
    user, enterprise = firm
    need = make.need(enterprise)
    csrf = page_login(client, user.email)
    refused = client.post(f"/needs/{need.id}/close", data={"csrf_token": csrf, "reason": ""})
    assert refused.status_code == 200  # back on the need page with the reason asked for
    db.expire_all()
    assert db.get(Need, need.id).status is NeedStatus.OPEN
    client.post(f"/needs/{need.id}/close", data={"csrf_token": csrf, "reason": "filled"})
    db.expire_all()
    assert db.get(Need, need.id).status is NeedStatus.CLOSED
    client.post(f"/needs/{need.id}/reopen", data={"csrf_token": csrf})
    db.expire_all()
    assert db.get(Need, need.id).status is NeedStatus.OPEN
    response = client.post(
        f"/needs/{need.id}/duplicate", data={"csrf_token": csrf}, follow_redirects=False
    )
    copy_id = response.headers["location"].split("/")[2]
    copy = db.get(Need, copy_id)
    assert copy.status is NeedStatus.DRAFT and copy.description == need.description


def test_edit_keeps_values_and_saves(client: TestClient, firm: Any, make: Any, db: Any) -> None:
    user, enterprise = firm
    need = make.need(enterprise, requirements=["A", "B"])
    csrf = page_login(client, user.email)
    form = client.get(f"/needs/{need.id}/edit")
    assert "A\nB</textarea>" in form.text
    data = {**VALID, "title": "新标题", "csrf_token": csrf}
    response = client.post(f"/needs/{need.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Need, need.id).title == "新标题"


def test_confidential_need_shows_only_its_summary_to_smes(
    client: TestClient, firm: Any, make: Any
) -> None:
    _, enterprise = firm
    need = make.need(
        enterprise,
        confidential=True,
        public_summary="某新型封装材料联合研发",
        description="秘密配方X-42",
    )
    sme = make.user(Role.SME, make.enterprise())
    page_login(client, sme.email)
    page = client.get(f"/needs/{need.id}")
    assert "某新型封装材料联合研发" in page.text
    assert "秘密配方X-42" not in page.text
    api = client.get(f"/api/v1/needs/{need.id}").json()
    assert api["description"] == "某新型封装材料联合研发" and api["requirements"] == []


def test_language_switch_renders_english(client: TestClient) -> None:
    client.get("/")
    csrf = client.cookies["mm_csrf"]
    response = client.post("/language", data={"csrf_token": csrf, "locale": "en", "next": "/"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.text and "Open needs" in response.text
    client.post("/language", data={"csrf_token": csrf, "locale": "zh_Hans", "next": "/"})
    assert "需求广场" in client.get("/").text


def test_need_form_keeps_chosen_chain_segments(client: TestClient, firm: Any, db: Any) -> None:
    user, _ = firm
    csrf = page_login(client, user.email)
    data = {**VALID, "csrf_token": csrf, "action": "draft", "segments": ["ic.electronic_gases"]}
    response = client.post("/needs/new", data=data, follow_redirects=False)
    need = db.get(Need, response.headers["location"].removeprefix("/needs/"))
    assert need.segments == ["ic.electronic_gases"]
    form = client.get(f"/needs/{need.id}/edit").text
    assert 'value="ic.electronic_gases" selected' in form
    bad = {**data, "segments": ["no.such.segment"]}
    response = client.post(f"/needs/{need.id}/edit", data=bad)
    assert response.status_code == 422
    assert re.search(r'id="f-segments"[^>]*aria-invalid="true"', response.text)
