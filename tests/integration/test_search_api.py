"""GET /api/v1/search/needs: the need search over the API, facet counts included."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.fields import EnterpriseSize, NeedStatus, NeedType

URL = "/api/v1/search/needs"


@pytest.fixture
def needs(make: Any) -> dict[str, Any]:
    pudong = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路股份有限公司")
    jiading = make.enterprise(
        EnterpriseSize.LARGE, name="上海申驰汽车集团股份有限公司", district="嘉定区"
    )
    return {
        "packaging": make.need(
            pudong, title="先进封装测试产能合作", description="寻找SiC功率器件封装测试伙伴",
            type=NeedType.TECHNOLOGY, budget_min=100, budget_max=300,
        ),
        "battery": make.need(jiading, title="电池管理系统封装验证", description="BMS模组封装",
                             type=NeedType.SUPPLY_CHAIN),
        "secret": make.need(
            jiading, title="车规芯片封装可靠性", description="机密：氮化镓外延片失效分析",
            confidential=True, public_summary="某整车厂寻找车规级封装可靠性测试服务",
            type=NeedType.SERVICE,
        ),
        "closed": make.need(pudong, title="已关闭封装需求", status=NeedStatus.CLOSED),
    }  # fmt: skip


def test_anonymous_search_returns_hits_total_and_facets(
    client: TestClient, needs: dict[str, Any]
) -> None:
    response = client.get(URL, params={"q": "封裝", "type": "technology"})  # Traditional
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [needs["packaging"].id]
    assert body["total"] == 1 and body["items"][0]["score"] > 0
    # The type facet ignores the type filter; the others count within it.
    assert body["facets"]["types"] == {"technology": 1, "supply_chain": 1, "service": 1}
    assert body["facets"]["districts"] == {"浦东新区": 1}
    assert body["facets"]["budgets"]["200-1000"] == 1


def test_confidential_need_is_searchable_by_its_summary_only(
    client: TestClient, needs: dict[str, Any]
) -> None:
    found = client.get(URL, params={"q": "整车厂"}).json()["items"]
    assert [item["id"] for item in found] == [needs["secret"].id]
    assert found[0]["summary"] == "某整车厂寻找车规级封装可靠性测试服务"
    assert "氮化镓" not in str(found)
    assert client.get(URL, params={"q": "氮化镓"}).json()["total"] == 0


def test_closed_needs_are_left_out_and_pages_do_not_overlap(
    client: TestClient, needs: dict[str, Any]
) -> None:
    first = client.get(URL, params={"q": "封装", "per_page": 2}).json()
    second = client.get(URL, params={"q": "封装", "per_page": 2, "page": 2}).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert first["total"] == 3 and len(ids) == len(set(ids)) == 3
    assert needs["closed"].id not in ids


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"budget": "lots"}, "query.budget"),
        ({"type": "catering"}, "query.type.0"),
        ({"per_page": "500"}, "query.per_page"),
        ({"sort": "random"}, "query.sort"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(
    client: TestClient, needs: dict[str, Any], params: dict[str, str], field: str
) -> None:
    response = client.get(URL, params=params)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
