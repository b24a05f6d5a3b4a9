"""The /needs search page: query, filters with counts, htmx partials, confidential needs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker import clock
from matchmaker.fields import EnterpriseSize, NeedStatus, NeedType, Role

HX = {"HX-Request": "true", "HX-Target": "search-results"}


@pytest.fixture
def needs(make: Any) -> dict[str, Any]:
    pudong = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路股份有限公司")
    jiading = make.enterprise(
        EnterpriseSize.LARGE, name="上海申驰汽车集团股份有限公司", district="嘉定区"
    )
    return {
        "packaging": make.need(
            pudong, title="先进封装测试产能合作", description="寻找SiC功率器件封装测试伙伴",
            type=NeedType.TECHNOLOGY, segments=["ic.packaging_materials"],
            budget_min=100, budget_max=300,
        ),
        "gas": make.need(pudong, title="电子特气本地化供应", description="需要NF3电子特气",
                         segments=["ic.electronic_gases"]),
        "battery": make.need(jiading, title="电池管理系统封装验证", description="BMS模组封装",
                             type=NeedType.TECHNOLOGY, segments=["nev.anode_materials"]),
        "secret": make.need(
            jiading, title="车规芯片可靠性测试", description="机密：氮化镓外延片失效分析",
            requirements=["熟悉蓝宝石衬底"], confidential=True,
            public_summary="某整车厂寻找车规级可靠性测试服务", type=NeedType.SERVICE,
            segments=["services.testing_automotive"],
        ),
        "draft": make.need(pudong, title="草稿封装需求", status=NeedStatus.DRAFT),
        "closed": make.need(pudong, title="已关闭封装需求", status=NeedStatus.CLOSED),
    }  # fmt: skip


def count_of(html: str, name: str, value: str) -> int | None:
    """The count shown next to one filter value, or None when the value is not listed."""
    found = re.search(
        rf'name="{name}" value="{re.escape(value)}"[^>]*>\s*<span>[^<]*</span>'
        rf'\s*<span class="count">(\d+)</span>',
        html,
    )
    return None if found is None else int(found.group(1))


def total(html: str) -> int:
    found = re.search(r'id="results-title" data-total="(\d+)"', html)
    assert found is not None
    return int(found.group(1))


def checked(html: str, name: str, value: str) -> bool:
    return re.search(rf'name="{name}" value="{re.escape(value)}" checked', html) is not None


def test_anonymous_visitor_sees_open_needs_only(client: TestClient, needs: dict[str, Any]) -> None:
    response = client.get("/needs")
    assert response.status_code == 200
    for key in ("packaging", "gas", "battery", "secret"):
        assert needs[key].title in response.text
    assert needs["draft"].title not in response.text
    assert needs["closed"].title not in response.text
    assert total(response.text) == 4


def test_query_matches_traditional_and_shows_counts(
    client: TestClient, needs: dict[str, Any]
) -> None:
    html = client.get("/needs", params={"q": "封裝"}).text
    assert needs["packaging"].title in html and needs["battery"].title in html
    assert needs["gas"].title not in html
    assert count_of(html, "type", "technology") == 2
    assert count_of(html, "type", "supply_chain") == 0
    assert count_of(html, "district", "浦东新区") == 1
    assert count_of(html, "district", "嘉定区") == 1
    assert count_of(html, "chain", "ic") == 1 and count_of(html, "chain", "nev") == 1


def test_filter_narrows_results_but_not_its_own_counts(
    client: TestClient, needs: dict[str, Any]
) -> None:
    html = client.get("/needs", params={"q": "封装", "district": "嘉定区"}).text
    assert needs["battery"].title in html
    assert needs["packaging"].title not in html
    assert checked(html, "district", "嘉定区")
    assert count_of(html, "district", "浦东新区") == 1  # its own filter does not shrink it
    assert count_of(html, "type", "technology") == 1  # the other filters do
    assert count_of(html, "chain", "ic") is None


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"type": ["technology", "service"]}, {"packaging", "battery", "secret"}),
        ({"chain": "ic"}, {"packaging", "gas"}),
        ({"budget": "200-1000"}, {"packaging"}),
        ({"due": "90", "type": "supply_chain"}, {"gas"}),
        ({"type": "investment"}, set()),
    ],
)
def test_filters_apply_from_the_url(
    client: TestClient, needs: dict[str, Any], params: dict[str, Any], shown: set[str]
) -> None:
    html = client.get("/needs", params=params).text
    assert {
        key for key in ("packaging", "gas", "battery", "secret") if needs[key].title in html
    } == (shown)


def test_deadline_filter_counts_windows(
    client: TestClient, make: Any, needs: dict[str, Any]
) -> None:
    soon = make.need(make.enterprise(EnterpriseSize.LARGE), title="本周截止的检测需求",
                     deadline=clock.today() + dt.timedelta(days=3))  # fmt: skip
    html = client.get("/needs", params={"due": "7"}).text
    assert soon.title in html and needs["gas"].title not in html
    assert count_of(html, "due", "7") == 1
    assert count_of(html, "due", "90") == 5


def test_htmx_request_gets_the_results_region_only(
    client: TestClient, needs: dict[str, Any]
) -> None:
    page = client.get("/needs", params={"q": "封装"})
    partial = client.get("/needs", params={"q": "封装"}, headers=HX)
    assert "<html" in page.text and 'id="need-search"' in page.text
    assert "<html" not in partial.text and 'id="need-search"' not in partial.text
    assert 'class="with-facets"' in partial.text
    assert needs["packaging"].title in partial.text
    assert partial.headers["vary"] == "HX-Request"


def test_page_form_updates_results_in_place_with_htmx(
    client: TestClient, needs: dict[str, Any]
) -> None:
    html = client.get("/needs").text
    form = re.search(r"<form id=\"need-search\"[^>]*>", html)
    assert form is not None
    for attribute in ('method="get"', 'action="/needs"', 'hx-get="/needs"',
                      'hx-target="#search-results"', 'hx-push-url="true"'):  # fmt: skip
        assert attribute in form.group(0)


def test_confidential_need_shows_public_summary_not_description(
    client: TestClient, needs: dict[str, Any]
) -> None:
    html = client.get("/needs").text
    secret = needs["secret"]
    assert secret.public_summary in html
    assert secret.description not in html and "蓝宝石" not in html
    for hidden in ("氮化镓", "蓝宝石"):
        assert secret.title not in client.get("/needs", params={"q": hidden}).text
    assert secret.title in client.get("/needs", params={"q": "可靠性"}).text


def test_pages_keep_the_filters(client: TestClient, make: Any) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE)
    for n in range(23):
        make.need(firm, title=f"批量检测需求{n:02d}", type=NeedType.SERVICE)
    first = client.get("/needs", params={"q": "检测", "type": "service"}).text
    assert "/needs?q=%E6%A3%80%E6%B5%8B&amp;type=service&amp;page=2" in first
    second = client.get("/needs", params={"q": "检测", "type": "service", "page": "2"}).text
    assert second.count('class="card"') == 3


def test_new_needs_show_without_a_restart(client: TestClient, make: Any) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE)
    headers = make.token_headers(make.user(Role.FIRM, firm))
    assert total(client.get("/needs").text) == 0
    body = {"type": "technology", "title": "工业视觉检测算法", "description": "产线缺陷检测",
            "publish": True}  # fmt: skip
    created = client.post("/api/v1/needs", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert "工业视觉检测算法" in client.get("/needs", params={"q": "視覺"}).text


def test_closed_needs_leave_and_enterprise_changes_arrive_without_a_restart(
    client: TestClient, make: Any
) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路股份有限公司")
    kept, closed = (
        make.need(firm, title="光刻胶验证合作"),
        make.need(firm, title="湿电子化学品供应"),
    )
    headers = make.token_headers(make.user(Role.FIRM, firm))
    assert total(client.get("/needs", params={"district": "徐汇区"}).text) == 0
    response = client.post(f"/api/v1/needs/{closed.id}/close", json={"reason": "filled"},
                           headers=headers)  # fmt: skip
    assert response.status_code == 200, response.text
    response = client.patch(f"/api/v1/enterprises/{firm.id}",
                            json={"district": "徐汇区", "name": "上海澜芯微电子股份有限公司"},
                            headers=headers)  # fmt: skip
    assert response.status_code == 200, response.text
    html = client.get("/needs", params={"district": "徐汇区"}).text
    assert kept.title in html and closed.title not in html
    assert "上海澜芯微电子股份有限公司" in html
    assert count_of(html, "district", "浦东新区") is None


@pytest.mark.parametrize(
    "params", [{"page": "x"}, {"due": "5"}, {"budget": "1-2"}, {"by": "tomorrow"}, {"sort": "?"}]
)
def test_malformed_parameters_are_ignored(
    client: TestClient, needs: dict[str, Any], params: dict[str, str]
) -> None:
    response = client.get("/needs", params=params)
    assert response.status_code == 200
    assert total(response.text) == 4


def test_english_page_labels(client: TestClient, needs: dict[str, Any]) -> None:
    html = client.get("/needs", headers={"Accept-Language": "en"}).text
    assert "Industry chain" in html and "Needs found: 4" in html
    assert "Integrated circuits" in html
    zh = client.get("/needs").text
    assert "产业链" in zh and "集成电路" in zh and "共找到 4 条需求" in zh
