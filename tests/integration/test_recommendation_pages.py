"""Recommended needs for an SME's published profiles: ranked, explained, confidentiality kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import PASSWORD
from fastapi.testclient import TestClient

from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden
from matchmaker.fields import EnterpriseSize, NeedStatus, NeedType, ProfileStatus, Role
from matchmaker.matching.explain import Reason
from matchmaker.profiles import recommendations

SECRET = "绝密：三氟化氮扩产项目代号银杏，年用量800吨"
SUMMARY = "某晶圆厂寻求电子特气长期合作伙伴"


def log_in(client: TestClient, user: Any) -> None:
    client.get("/login")
    form = {"email": user.email, "password": PASSWORD, "csrf_token": client.cookies["mm_csrf"]}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def need_links(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/needs/([^"]+)">', html)


def cards(html: str) -> list[str]:
    return html.split('<li class="card">')[1:]


@pytest.fixture
def sme(make: Any) -> Enterprise:
    enterprise: Enterprise = make.enterprise(EnterpriseSize.SMALL)
    return enterprise


@pytest.fixture
def member(make: Any, sme: Enterprise) -> Any:
    return make.user(Role.SME, sme)


@pytest.fixture
def firm(make: Any) -> Enterprise:
    enterprise: Enterprise = make.enterprise(EnterpriseSize.LARGE, name="上海晶圆制造有限公司")
    return enterprise


@pytest.fixture
def gas_profile(make: Any, sme: Enterprise) -> Any:
    return make.profile(sme, open_to=["supply_chain"], certifications=["ISO 9001"])


def test_recommendations_list_open_needs_best_first(
    client: TestClient, make: Any, member: Any, firm: Enterprise, gas_profile: Any
) -> None:
    weak = make.need(
        firm,
        type=NeedType.TECHNOLOGY,
        title="新能源汽车电池包热管理系统开发",
        description="寻找电池包液冷板与热管理控制算法团队",
    )
    strong = make.need(firm)
    closed = make.need(firm, status=NeedStatus.CLOSED)
    draft = make.need(firm, status=NeedStatus.DRAFT)
    log_in(client, member)
    page = client.get("/recommendations")
    assert page.status_code == 200
    shown = need_links(page.text)
    assert shown[0] == strong.id
    assert weak.id not in shown or shown.index(weak.id) > shown.index(strong.id)
    assert closed.id not in shown and draft.id not in shown
    assert "上海晶圆制造有限公司" in page.text and "供应链" in page.text
    assert "寻找12英寸晶圆厂电子特气供应商" in page.text


def test_recommendation_rows_scored_best_first(
    app: Any, db: Any, make: Any, member: Any, firm: Enterprise, gas_profile: Any
) -> None:
    make.need(firm, title="电池包热管理系统开发", description="液冷板与控制算法")
    make.need(firm)
    make.need(firm, title="晶圆厂三氟化氮采购", description="高纯三氟化氮长期供应")
    result = recommendations.for_profile(
        db, app.state.rankings, actor=member, profile_id=gas_profile.id, limit=10
    )
    scores = [row.score for row in result.rows]
    assert len(scores) >= 2
    assert scores == sorted(scores, reverse=True)
    assert {row.firm_name for row in result.rows} == {"上海晶圆制造有限公司"}
    assert all(row.band in ("强匹配", "较匹配", "一般") for row in result.rows)


def test_confidential_need_shows_summary_and_no_quoted_words(
    client: TestClient, make: Any, member: Any, firm: Enterprise, gas_profile: Any
) -> None:
    secret = make.need(
        firm,
        title="电子特气合作",
        description=SECRET,
        confidential=True,
        public_summary=SUMMARY,
    )
    log_in(client, member)
    page = client.get("/recommendations")
    assert secret.id in need_links(page.text)
    card = next(c for c in cards(page.text) if f'href="/needs/{secret.id}"' in c)
    assert SUMMARY in card
    assert SECRET not in page.text and "银杏" not in page.text
    assert "文本匹配" not in card
    assert "产业链：" in card


def test_confidential_reasons_keep_chain_certification_and_region() -> None:
    reasons = [Reason("terms", ("三氟化氮", "银杏")), Reason("chain_unrelated"),
               Reason("certs_met", ("ISO 9001",)), Reason("region_fit", ("上海",))]  # fmt: skip
    assert recommendations.visible_reasons(reasons, hidden=True) == reasons[1:]
    assert recommendations.visible_reasons(reasons, hidden=False) == reasons


def test_profile_selector_ranks_for_chosen_profile(
    client: TestClient, make: Any, sme: Enterprise, member: Any, firm: Enterprise
) -> None:
    make.profile(sme, title="电子特气供应")
    battery = make.profile(
        sme,
        title="电池包热管理系统",
        summary="新能源汽车电池包液冷板与热管理控制",
        capabilities=["液冷板设计"],
    )
    gas_need = make.need(firm)
    battery_need = make.need(
        firm,
        type=NeedType.TECHNOLOGY,
        title="电池包热管理系统开发",
        description="寻找电池包液冷板与热管理控制团队",
    )
    log_in(client, member)
    first = client.get("/recommendations")
    assert 'id="f-profile"' in first.text and "电池包热管理系统" in first.text
    assert need_links(first.text)[0] == gas_need.id
    chosen = client.get("/recommendations", params={"profile": battery.id})
    assert need_links(chosen.text)[0] == battery_need.id


def test_draft_profile_gets_no_recommendations(
    client: TestClient, make: Any, sme: Enterprise, member: Any, firm: Enterprise
) -> None:
    draft = make.profile(sme, status=ProfileStatus.DRAFT)
    make.need(firm)
    log_in(client, member)
    assert need_links(client.get("/recommendations").text) == []
    page = client.get("/recommendations", params={"profile": draft.id})
    assert page.status_code == 200 and need_links(page.text) == []


@pytest.mark.parametrize(
    ("status", "expected"), [(ProfileStatus.PUBLISHED, 403), (ProfileStatus.DRAFT, 404)]
)
def test_other_smes_recommendations_refused(
    client: TestClient, make: Any, member: Any, status: ProfileStatus, expected: int
) -> None:
    other = make.profile(make.enterprise(EnterpriseSize.SMALL), status=status)
    log_in(client, member)
    page = client.get("/recommendations", params={"profile": other.id})
    assert page.status_code == expected


def test_firm_member_cannot_read_an_smes_recommendations(
    app: Any, db: Any, make: Any, firm: Enterprise, gas_profile: Any
) -> None:
    firm_user = make.user(Role.FIRM, firm)
    with pytest.raises(Forbidden):
        recommendations.for_profile(
            db,
            app.state.rankings,
            actor=firm_user,
            profile_id=gas_profile.id,
            limit=5,
        )
