"""Organiser and admin browse pages: who may open them, filters, and match quality."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import PASSWORD
from fastapi.testclient import TestClient

from matchmaker.fields import EnterpriseSize, NeedStatus, ProfileStatus, Role

PAGES = ("/admin/enterprises", "/admin/needs", "/admin/profiles")
GAS = {
    "title": "电子特气提纯与充装",
    "summary": "为12英寸晶圆厂提供NF3、WF6等电子特种气体，具备气体纯化与钢瓶处理产线。",
    "capabilities": ["NF3提纯至6N", "特气柜与钢瓶处理"],
    "regions": ["上海市"],
    "certifications": ["ISO 9001"],
    "open_to": ["supply_chain"],
}


def log_in(client: TestClient, email: str) -> None:
    client.get("/login")
    form = {"email": email, "password": PASSWORD, "csrf_token": client.cookies["mm_csrf"]}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text


def as_role(client: TestClient, make: Any, role: Role) -> TestClient:
    enterprise = None
    if role is Role.FIRM:
        enterprise = make.enterprise(EnterpriseSize.LARGE)
    elif role is Role.SME:
        enterprise = make.enterprise(EnterpriseSize.SMALL)
    log_in(client, make.user(role, enterprise).email)
    return client


def total(html: str) -> int:
    found = re.search(r'id="total" data-total="(\d+)"', html)
    assert found is not None
    return int(found.group(1))


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-id="([^"]+)"', html)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.ADMIN, 200), (Role.ORGANISER, 200), (Role.FIRM, 403), (Role.SME, 403)],
)
def test_only_organisers_and_admins_browse(
    client: TestClient, make: Any, path: str, role: Role, expected: int
) -> None:
    as_role(client, make, role)
    response = client.get(path, follow_redirects=False)
    assert response.status_code == expected


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_login(client: TestClient, path: str) -> None:
    response = client.get(path, params={"page": "2"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}%3Fpage%3D2"


def test_enterprises_search_and_filters(client: TestClient, make: Any) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路股份有限公司")
    gas = make.enterprise(name="上海氟源电子材料有限公司", district="金山区", tags=["专精特新"])
    other = make.enterprise(EnterpriseSize.MEDIUM, name="上海华曜精密机械有限公司", tags=[])
    as_role(client, make, Role.ORGANISER)
    assert row_ids(client.get("/admin/enterprises", params={"q": "氟源"}).text) == [gas.id]
    large = client.get("/admin/enterprises", params={"size": "large"}).text
    assert firm.id in row_ids(large) and gas.id not in row_ids(large)
    assert row_ids(client.get("/admin/enterprises", params={"district": "金山区"}).text) == [gas.id]
    assert row_ids(client.get("/admin/enterprises", params={"tag": "专精特新"}).text) == [gas.id]
    medium = client.get("/admin/enterprises", params={"size": "medium", "q": "华曜"}).text
    assert row_ids(medium) == [other.id]
    assert '<option value="金山区"' in medium


def test_enterprises_are_paginated(client: TestClient, make: Any) -> None:
    for n in range(30):
        make.enterprise(name=f"上海分页测试{n:02d}有限公司")
    as_role(client, make, Role.ADMIN)
    first = client.get("/admin/enterprises", params={"q": "分页测试"}).text
    second = client.get("/admin/enterprises", params={"q": "分页测试", "page": "2"}).text
    assert total(first) == 30
    assert (len(row_ids(first)), len(row_ids(second))) == (25, 5)
    assert "/admin/enterprises?q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95&amp;page=2" in first


def test_needs_filter_by_status(client: TestClient, make: Any) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE)
    open_need = make.need(firm)
    draft = make.need(firm, status=NeedStatus.DRAFT)
    as_role(client, make, Role.ADMIN)
    assert set(row_ids(client.get("/admin/needs").text)) == {open_need.id, draft.id}
    assert row_ids(client.get("/admin/needs", params={"status": "draft"}).text) == [draft.id]


def test_needs_show_match_quality_of_each_need(
    client: TestClient, make: Any, app: Any, db: Any
) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE, description="12英寸晶圆制造，逻辑工艺代工")
    need = make.need(firm, title="晶圆厂电子特气本地化供应",
                     description="临港12英寸产线扩产，需要NF3、WF6等电子特气的本地供应商。",
                     certifications=["ISO 9001"], regions=["上海市"])  # fmt: skip
    lonely = make.need(firm, title="护肤品包材设计", description="面膜包装结构设计")
    for _ in range(3):
        make.profile(make.enterprise(EnterpriseSize.SMALL), **GAS)
    make.profile(make.enterprise(EnterpriseSize.SMALL), title="功效护肤品ODM",
                 summary="面膜与精华液的研发和代工生产。", capabilities=["乳化工艺"])  # fmt: skip
    as_role(client, make, Role.ORGANISER)
    html = client.get("/admin/needs").text
    for item in (need, lonely):
        scores = [m.score for m in app.state.matching.match(db, item.id, top=50)]
        strong, good = sum(s >= 70 for s in scores), sum(s >= 45 for s in scores)
        row = re.search(rf'<tr data-id="{item.id}">(.*?)</tr>', html, re.S)
        assert row is not None
        assert f'data-strong="{strong}"' in row.group(1)
        assert f'data-good="{good}"' in row.group(1)
    assert 'data-strong="3"' in html  # the three gas suppliers are strong matches


def test_profiles_filter_by_status(client: TestClient, make: Any) -> None:
    sme = make.enterprise(name="上海氟源电子材料有限公司")
    published = make.profile(sme)
    draft = make.profile(sme, title="尚未发布的能力", status=ProfileStatus.DRAFT)
    as_role(client, make, Role.ADMIN)
    html = client.get("/admin/profiles").text
    assert set(row_ids(html)) == {published.id, draft.id}
    assert "上海氟源电子材料有限公司" in html
    drafts = client.get("/admin/profiles", params={"status": "draft"}).text
    assert row_ids(drafts) == [draft.id]
    assert row_ids(client.get("/admin/profiles", params={"q": "尚未发布"}).text) == [draft.id]


@pytest.mark.parametrize("path", PAGES)
def test_unknown_filter_values_show_everything(client: TestClient, make: Any, path: str) -> None:
    as_role(client, make, Role.ADMIN)
    response = client.get(path, params={"size": "huge", "status": "gone", "page": "abc"})
    assert response.status_code == 200
