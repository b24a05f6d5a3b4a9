"""API behaviour: problem details, pagination and filters, the need lifecycle, PATCH, OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from matchmaker import clock
from matchmaker.db import utcnow
from matchmaker.fields import CloseReason, EnterpriseSize, NeedStatus, NeedType, Role

PROBLEM = "application/problem+json"
TODAY = clock.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
NEXT_MONTH = TODAY + dt.timedelta(days=30)
VALID_USCC = "91310115MA1K000003"
NEED_BODY = {"type": "technology", "title": "车规级芯片联合攻关", "description": "共建联合实验室"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert the response is a problem+json document with this status, and return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert (body["type"], body["status"], body["instance"]) == (
        "about:blank",
        status,
        response.request.url.path,
    )
    return body


def ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def firm(make: Any) -> tuple[Any, dict[str, str]]:
    """A large enterprise and the token headers of one of its members."""
    big = make.enterprise(EnterpriseSize.LARGE)
    return big, make.token_headers(make.user(Role.FIRM, big))


@pytest.fixture
def admin(make: Any) -> dict[str, str]:
    return make.token_headers(make.user(Role.ADMIN))


# Problem details -----------------------------------------------------------------------------

TYPE_MESSAGE = (
    "Input should be 'technology', 'supply_chain', 'investment', 'incubation' or 'service'"
)


TITLE_MISSING = {"field": "title", "message": "Field required"}
TYPE_INVALID = {
    "field": "type",
    "message": "Input should be 'technology', 'supply_chain', 'investment', 'incubation' or 'service'",
}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"type": "technology", "description": "d"}, [TITLE_MISSING]),
        ({**NEED_BODY, "type": "robotics"}, [TYPE_INVALID]),
        ({"type": "robotics", "description": "d"}, [TYPE_INVALID, TITLE_MISSING]),
    ],
    ids=["missing-title", "bad-type", "both"],
)
def test_validation_error_need_create_names_each_field(
    client: TestClient, firm: Any, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    response = client.post("/api/v1/needs", json=body, headers=firm[1])
    assert problem(response, 422)["errors"] == errors


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_validation_error_budget_order_names_budget_field(
    client: TestClient, firm: Any, make: Any, method: str
) -> None:
    budget = {"budget_min": 500, "budget_max": 100}
    if method == "POST":
        response = client.post("/api/v1/needs", json={**NEED_BODY, **budget}, headers=firm[1])
    else:
        need = make.need(firm[0])
        response = client.patch(f"/api/v1/needs/{need.id}", json=budget, headers=firm[1])
    errors = problem(response, 422)["errors"]
    assert [e["message"] for e in errors] == ["budget_min (500) is larger than budget_max (100)"]
    # `errors` names each bad field: here budget_min (or budget_max), not the whole body.
    assert errors[0]["field"].rsplit(".", 1)[-1] in {"budget_min", "budget_max"}, errors


def test_validation_error_uscc_says_check_character(client: TestClient, admin: Any) -> None:
    body = {"name": "上海某某科技有限公司", "size": "small", "uscc": "91310115MA1K000000"}
    response = client.post("/api/v1/enterprises", json=body, headers=admin)
    message = (
        "check character is wrong: the 18th character should be '3', not '0' "
        "(GB 32100-2015); the code is probably mistyped"
    )
    assert problem(response, 422)["errors"] == [{"field": "uscc", "message": message}]


@pytest.mark.parametrize("path", ["/api/v1/needs", "/api/v1/profiles", "/api/v1/enterprises"])
def test_validation_error_per_page_over_limit(client: TestClient, path: str) -> None:
    body = problem(client.get(path, params={"per_page": 1000}), 422)
    assert body["errors"] == [
        {"field": "query.per_page", "message": "Input should be less than or equal to 100"}
    ]


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/api/v1/needs/need-missing", "need 'need-missing' does not exist"),
        ("/api/v1/profiles/prof-missing", "profile 'prof-missing' does not exist"),
        ("/api/v1/enterprises/ent-missing", "enterprise 'ent-missing' does not exist"),
        ("/api/v1/no-such-route", "no route /api/v1/no-such-route"),
    ],
)
def test_not_found_unknown_id_is_problem(client: TestClient, path: str, detail: str) -> None:
    body = problem(client.get(path), 404)
    assert (body["title"], body["detail"], body["errors"]) == ("Not found", detail, [])


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/api/v1/needs", {}),
        ("GET", "/api/v1/me", {}),
        ("GET", "/api/v1/needs", {"Authorization": "Bearer mm_not-a-real-token"}),
    ],
)
def test_unauthorized_has_www_authenticate(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers, json=NEED_BODY)
    assert problem(response, 401)["title"] == "Authentication required"
    assert response.headers["www-authenticate"] == "Bearer"


# Pagination and filters ----------------------------------------------------------------------


def test_pagination_pages_through_enterprises_in_name_order(client: TestClient, make: Any) -> None:
    names = [f"上海分页测试{i}号有限公司" for i in range(5)]
    created = [make.enterprise(name=name).id for name in reversed(names)][::-1]
    pages = []
    for number in (1, 2, 3, 4):
        page = client.get("/api/v1/enterprises", params={"per_page": 2, "page": number}).json()
        items = [item["id"] for item in page["items"]]
        pages.append((page["total"], page["page"], page["per_page"], items))
    expected = [(5, 1, 2, created[0:2]), (5, 2, 2, created[2:4]), (5, 3, 2, created[4:])]
    assert pages == [*expected, (5, 4, 2, [])]


@pytest.fixture
def catalogue(make: Any) -> dict[str, str]:
    pudong = make.enterprise(EnterpriseSize.LARGE, district="浦东新区", tags=["专精特新"])
    jiading = make.enterprise(EnterpriseSize.LARGE, district="嘉定区", tags=["高新技术企业"])
    needs = {
        "chip": make.need(pudong, type=NeedType.TECHNOLOGY, title="车规级芯片联合攻关"),
        "gas": make.need(
            pudong,
            type=NeedType.SUPPLY_CHAIN,
            title="晶圆厂电子特气本地化供应",
            status=NeedStatus.CLOSED,
            close_reason=CloseReason.WITHDRAWN,
            closed_at=utcnow(),
        ),
        "pct": make.need(
            jiading,
            type=NeedType.INVESTMENT,
            title="良率50%以上的检测设备",
            requirements=["SN_100"],
        ),
        "plain": make.need(
            jiading, type=NeedType.SERVICE, title="良率500以上的检测服务", requirements=["SNX100"]
        ),
        "draft": make.need(pudong, title="未发布的芯片草稿", status=NeedStatus.DRAFT),
    }
    return {name: need.id for name, need in needs.items()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"chip", "gas", "pct", "plain"}),
        ({"type": "technology"}, {"chip"}),
        ({"status": "open"}, {"chip", "pct", "plain"}),
        ({"status": "closed"}, {"gas"}),
        ({"district": "嘉定区"}, {"pct", "plain"}),
        ({"tag": "专精特新"}, {"chip", "gas"}),
        ({"type": "investment", "district": "嘉定区"}, {"pct"}),
        ({"q": "芯片"}, {"chip"}),
        ({"q": "良率 检测"}, {"pct", "plain"}),
        ({"q": "50%以上"}, {"pct"}),
        ({"q": "%"}, {"pct"}),
        ({"q": "SN_100"}, {"pct"}),
        ({"q": "sn_100"}, {"pct"}),
        ({"q": "_"}, {"pct"}),
        ({"q": "不存在的词"}, set()),
    ],
)
def test_need_filters_select_matching_needs(
    client: TestClient, catalogue: dict[str, str], params: dict[str, str], expected: set[str]
) -> None:
    response = client.get("/api/v1/needs", params=params)
    assert ids(response) == {catalogue[name] for name in expected}
    assert response.json()["total"] == len(expected)


def test_enterprise_filters_select_matching_enterprises(client: TestClient, make: Any) -> None:
    chip = make.enterprise(EnterpriseSize.SMALL, name="上海芯片封测有限公司", tags=["专精特新"])
    lab = make.enterprise(EnterpriseSize.MICRO, name="上海100_实验室有限公司", district="嘉定区")
    plain = make.enterprise(EnterpriseSize.LARGE, name="上海1000号实验室有限公司")

    def found(**params: str) -> set[str]:
        return ids(client.get("/api/v1/enterprises", params=params))

    assert found(q="芯片") == {chip.id}
    assert found(tag="专精特新") == {chip.id}
    assert found(size="large") == {plain.id}
    assert found(district="嘉定区") == {lab.id}
    assert found(q="100_") == {lab.id}
    assert found(q="实验室") == {lab.id, plain.id}


# The need lifecycle --------------------------------------------------------------------------


def test_need_lifecycle_draft_publish_close_reopen(client: TestClient, firm: Any) -> None:
    big, headers = firm
    body = {**NEED_BODY, "deadline": NEXT_MONTH.isoformat()}
    draft = client.post("/api/v1/needs", json=body, headers=headers)
    assert draft.status_code == 201
    need = draft.json()
    assert (need["enterprise_id"], need["status"], need["close_reason"]) == (big.id, "draft", None)
    url = f"/api/v1/needs/{need['id']}"

    published = client.post(f"{url}/publish", headers=headers).json()
    assert (published["status"], published["close_reason"]) == ("open", None)
    problem(client.post(f"{url}/publish", headers=headers), 409)

    closed = client.post(f"{url}/close", json={"reason": "filled"}, headers=headers).json()
    assert (closed["status"], closed["close_reason"]) == ("closed", "filled")
    assert closed["closed_at"] is not None
    problem(client.post(f"{url}/close", json={"reason": "withdrawn"}, headers=headers), 409)
    problem(client.patch(url, json={"title": "关闭后再改"}, headers=headers), 409)
    assert client.get(url).json()["title"] == NEED_BODY["title"]

    reopened = client.post(f"{url}/reopen", headers=headers).json()
    assert (reopened["status"], reopened["close_reason"], reopened["closed_at"]) == (
        "open",
        None,
        None,
    )
    problem(client.post(f"{url}/reopen", headers=headers), 409)


def test_need_close_with_expired_reason_refused(client: TestClient, firm: Any, make: Any) -> None:
    need = make.need(firm[0])
    response = client.post(
        f"/api/v1/needs/{need.id}/close", json={"reason": "expired"}, headers=firm[1]
    )
    assert problem(response, 422)["errors"] == [
        {"field": "reason", "message": "choose filled or withdrawn"}
    ]


def test_need_publish_with_past_deadline_refused(client: TestClient, firm: Any) -> None:
    headers = firm[1]
    body = {**NEED_BODY, "deadline": YESTERDAY.isoformat()}
    need_id = client.post("/api/v1/needs", json=body, headers=headers).json()["id"]
    response = client.post(f"/api/v1/needs/{need_id}/publish", headers=headers)
    assert problem(response, 422)["errors"] == [{"field": "deadline", "message": "is in the past"}]
    assert client.get(f"/api/v1/needs/{need_id}", headers=headers).json()["status"] == "draft"
    direct = client.post("/api/v1/needs", json={**body, "publish": True}, headers=headers)
    assert problem(direct, 422)["errors"] == [{"field": "deadline", "message": "is in the past"}]


def test_need_past_deadline_closes_as_expired_on_read(client: TestClient, make: Any) -> None:
    big = make.enterprise(EnterpriseSize.LARGE)
    overdue = make.need(big, status=NeedStatus.OPEN, deadline=YESTERDAY)
    due_today = make.need(big, status=NeedStatus.OPEN, deadline=TODAY)
    read = client.get(f"/api/v1/needs/{overdue.id}").json()
    assert (read["status"], read["close_reason"]) == ("closed", "expired")
    assert read["closed_at"] is not None
    assert client.get(f"/api/v1/needs/{due_today.id}").json()["status"] == "open"
    assert ids(client.get("/api/v1/needs", params={"status": "open"})) == {due_today.id}


# PATCH semantics -----------------------------------------------------------------------------


def stable(record: dict[str, Any]) -> dict[str, Any]:
    """A record without updated_at, which every successful write moves."""
    return {key: value for key, value in record.items() if key != "updated_at"}


def test_need_patch_changes_only_sent_fields(client: TestClient, firm: Any, make: Any) -> None:
    need = make.need(
        firm[0], budget_min=100.0, budget_max=200.0, regions=["长三角"], requirements=["ISO 9001"]
    )
    url = f"/api/v1/needs/{need.id}"
    expected = stable(client.get(url).json())
    steps = [
        ({"title": "新标题"}, {"title": "新标题"}),
        ({"budget_max": None}, {"budget_max": None}),
        ({"regions": None, "deadline": None}, {"regions": [], "deadline": None}),
    ]
    for body, changes in steps:
        response = client.patch(url, json=body, headers=firm[1])
        assert response.status_code == 200, response.text
        expected = {**expected, **changes}
        assert stable(response.json()) == expected
    problem(client.patch(url, json={"title": None}, headers=firm[1]), 422)
    assert stable(client.get(url).json()) == expected


def test_enterprise_patch_null_clears_optional_field(client: TestClient, make: Any) -> None:
    small = make.enterprise(EnterpriseSize.SMALL, description="精密零部件加工", employees=80)
    headers = make.token_headers(make.user(Role.SME, small))
    url = f"/api/v1/enterprises/{small.id}"
    before = stable(client.get(url, headers=headers).json())
    response = client.patch(url, json={"description": None, "employees": 95}, headers=headers)
    assert response.status_code == 200, response.text
    assert stable(response.json()) == {**before, "description": None, "employees": 95}


def test_enterprise_uscc_duplicate_conflict(client: TestClient, admin: Any) -> None:
    def create(name: str, uscc: str) -> httpx.Response:
        body = {"name": name, "size": "small", "uscc": uscc}
        return client.post("/api/v1/enterprises", json=body, headers=admin)

    first = create("上海第一家有限公司", VALID_USCC)
    assert first.status_code == 201
    holder = first.json()["id"]
    expected = [{"field": "uscc", "message": f"already registered to enterprise {holder!r}"}]
    assert problem(create("上海第二家有限公司", VALID_USCC), 409)["errors"] == expected
    assert problem(create("上海第三家有限公司", VALID_USCC.lower()), 409)["errors"] == expected

    other = create("上海第四家有限公司", "91350100M000100Y43").json()["id"]
    url = f"/api/v1/enterprises/{other}"
    assert problem(client.patch(url, json={"uscc": VALID_USCC}, headers=admin), 409)["errors"] == (
        expected
    )
    assert client.get(url).json()["uscc"] == "91350100M000100Y43"
    same = client.patch(f"/api/v1/enterprises/{holder}", json={"uscc": VALID_USCC}, headers=admin)
    assert same.status_code == 200


# OpenAPI -------------------------------------------------------------------------------------

API_PATHS = {
    "/api/v1/auth/login": "POST",
    "/api/v1/auth/logout": "POST",
    "/api/v1/me": "GET DELETE",
    "/api/v1/me/data": "GET",
    "/api/v1/me/password": "POST",
    "/api/v1/me/tokens": "GET POST",
    "/api/v1/me/tokens/{token_id}": "DELETE",
    "/api/v1/users": "GET POST",
    "/api/v1/users/{user_id}": "PATCH",
    "/api/v1/users/{user_id}/unlock": "POST",
    "/api/v1/enterprises": "GET POST",
    "/api/v1/enterprises/{enterprise_id}": "GET PATCH DELETE",
    "/api/v1/enterprises/{enterprise_id}/consent": "POST",
    "/api/v1/profiles": "GET POST",
    "/api/v1/profiles/{profile_id}": "GET PATCH DELETE",
    "/api/v1/needs": "GET POST",
    "/api/v1/needs/{need_id}": "GET PATCH DELETE",
    "/api/v1/needs/{need_id}/publish": "POST",
    "/api/v1/needs/{need_id}/close": "POST",
    "/api/v1/needs/{need_id}/reopen": "POST",
    "/api/v1/needs/{need_id}/matches": "GET",
    "/api/v1/profiles/{profile_id}/recommendations": "GET",
    "/api/v1/search/needs": "GET",
    "/api/v1/jobs/{job_id}": "GET",
    "/api/v1/audit": "GET",
}
API_ROUTES = {(method, path) for path, methods in API_PATHS.items() for method in methods.split()}
# Writes that take input (a body or a path parameter); logout takes none, so it cannot give 422.
WRITES_WITH_INPUT = sorted(
    route for route in API_ROUTES if route[0] != "GET" and route[1] != "/api/v1/auth/logout"
)


def test_openapi_lists_every_api_route(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    documented = {
        (method.upper(), path)
        for path, operations in response.json()["paths"].items()
        for method in operations
        if path.startswith("/api/v1")
    }
    assert documented == API_ROUTES


@pytest.mark.parametrize(("method", "path"), WRITES_WITH_INPUT)
def test_openapi_documents_422_problem_for_write_route(
    client: TestClient, method: str, path: str
) -> None:
    operation = client.get("/api/openapi.json").json()["paths"][path][method.lower()]
    assert "422" in operation["responses"]
    content = operation["responses"]["422"].get("content", {})
    assert PROBLEM in content, content
    schemas = [entry.get("schema") for entry in content.values()]
    assert {"$ref": "#/components/schemas/Problem"} in schemas


def test_openapi_docs_page_serves_html(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "swagger-ui" in response.text
    assert "/api/openapi.json" in response.text
