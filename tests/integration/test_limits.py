"""Every limit on input answers with a 4xx that names the limit, and changes nothing.

Body and upload sizes come from `BodyLimitMiddleware`; field lengths, list lengths, page
sizes and query lengths from the schemas and query parameters (docs/security.md, Limits).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import page_login
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.config import load_settings
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.main import create_app
from matchmaker.needs.models import Need

PROBLEM = "application/problem+json"


@pytest.fixture
def small(tmp_path: Path, database_url: str | None) -> Iterator[tuple[TestClient, Any]]:
    """An app with 2 KiB bodies and 4 KiB uploads, so the limits are cheap to reach."""
    extra: dict[str, Any] = {"database_url": database_url} if database_url else {}
    app = create_app(
        load_settings(
            data_dir=tmp_path / "small", max_body_bytes=2048, max_upload_bytes=4096, **extra
        )
    )
    with TestClient(app) as client:
        yield client, app
    app.state.database.dispose()


def _firm_headers(app: Any) -> tuple[dict[str, str], str]:
    from conftest import Factory

    with app.state.database.session() as db:
        make = Factory(db)
        firm = make.enterprise(EnterpriseSize.LARGE)
        return make.token_headers(make.user(Role.FIRM, firm)), firm.id


def _needs(app: Any) -> int:
    with app.state.database.session() as db:
        return db.scalar(select(func.count()).select_from(Need)) or 0


def _need(title: str, **more: Any) -> dict[str, Any]:
    return {"type": "supply_chain", "title": title, "description": "车规级功率模块封装", **more}


def test_an_api_body_over_the_limit_is_refused_before_it_is_read(
    small: tuple[TestClient, Any],
) -> None:
    client, app = small
    headers, _ = _firm_headers(app)
    response = client.post(
        "/api/v1/needs", json=_need("功率模块", description="封" * 2000), headers=headers
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "2048 bytes" in response.json()["detail"]
    assert "MATCHMAKER_MAX_BODY_BYTES" in response.json()["detail"]
    assert _needs(app) == 0


def test_a_chunked_body_without_a_length_is_counted_as_it_arrives(
    small: tuple[TestClient, Any],
) -> None:
    client, app = small
    headers, _ = _firm_headers(app)

    def chunks() -> Iterator[bytes]:
        yield b'{"type": "supply_chain", "title": "x", "description": "'
        for _ in range(10):
            yield b"a" * 1000
        yield b'"}'

    response = client.post(
        "/api/v1/needs",
        content=chunks(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "MATCHMAKER_MAX_BODY_BYTES" in response.json()["detail"]
    assert _needs(app) == 0


def test_a_body_under_the_limit_goes_through(small: tuple[TestClient, Any]) -> None:
    client, app = small
    headers, _ = _firm_headers(app)
    response = client.post("/api/v1/needs", json=_need("功率模块封装"), headers=headers)
    assert response.status_code == 201
    assert _needs(app) == 1


def test_a_page_form_over_the_limit_gets_a_page_naming_the_limit(
    small: tuple[TestClient, Any],
) -> None:
    client, _ = small
    client.get("/login")
    form = {"email": "a@b.cn", "password": "p" * 3000, "csrf_token": client.cookies["mm_csrf"]}
    response = client.post("/login", data=form, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "请求内容超过 2048 字节" in response.text
    assert "MATCHMAKER_MAX_BODY_BYTES" in response.text


def test_uploads_get_their_own_larger_limit(small: tuple[TestClient, Any]) -> None:
    client, app = small
    with app.state.database.session() as db:
        from conftest import Factory

        make = Factory(db)
        organiser = make.user(Role.ORGANISER)
        event_id = make.event(organiser).id
        email = organiser.email
    page_login(client, email)
    url = f"/events/{event_id}/invite/file"
    token = {"csrf_token": client.cookies["mm_csrf"]}
    fits = ("list.csv", "enterprise_id\n" + "x" * 3000, "text/csv")  # over 2 KiB, under 4
    response = client.post(url, data=token, files={"file": fits}, follow_redirects=False)
    assert response.status_code == 303  # reached the page's own handling
    too_big = ("list.csv", "enterprise_id\n" + "x" * 5000, "text/csv")
    response = client.post(url, data=token, files={"file": too_big}, follow_redirects=False)
    assert response.status_code == 413
    assert "MATCHMAKER_MAX_UPLOAD_BYTES" in response.text


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        (_need("长" * 201), "title", "at most 200 characters"),
        (_need("标题", description="长" * 10_001), "description", "at most 10000 characters"),
        (
            _need("标题", requirements=[f"要求{i}" for i in range(101)]),
            "requirements",
            "at most 100 items",
        ),
        (_need("标题", requirements=["长" * 501]), "requirements.0", "at most 500 characters"),
    ],
)
def test_field_and_list_lengths_name_the_field_and_the_limit(
    client: TestClient, db: Session, make: Any, body: dict[str, Any], field: str, says: str
) -> None:
    headers = make.token_headers(make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE)))
    response = client.post("/api/v1/needs", json=body, headers=headers)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert says in errors[field], errors
    assert db.scalar(select(func.count()).select_from(Need)) == 0


@pytest.mark.parametrize(
    ("url", "field", "says"),
    [
        ("/api/v1/needs?per_page=101", "query.per_page", "less than or equal to 100"),
        ("/api/v1/search/needs?per_page=101", "query.per_page", "less than or equal to 100"),
        ("/api/v1/needs?page=0", "query.page", "greater than or equal to 1"),
        ("/api/v1/needs?q=" + "芯" * 201, "query.q", "at most 200 characters"),
        ("/api/v1/profiles?tag=" + "t" * 201, "query.tag", "at most 200 characters"),
    ],
)
def test_page_sizes_and_query_lengths_name_the_limit(
    client: TestClient, make: Any, url: str, field: str, says: str
) -> None:
    headers = make.token_headers(make.user(Role.ADMIN))
    response = client.get(url, headers=headers)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert says in errors[field], errors


def test_the_api_document_names_the_body_limit_on_every_operation_with_a_body(
    client: TestClient,
) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    with_body = [op for ops in paths.values() for op in ops.values() if "requestBody" in op]
    assert with_body
    assert all(
        "MATCHMAKER_MAX_BODY_BYTES" in op["responses"]["413"]["description"] for op in with_body
    )


def test_a_server_out_of_database_connections_answers_503_with_retry_after(
    tmp_path: Path, database_url: str | None
) -> None:
    extra: dict[str, Any] = {"database_url": database_url} if database_url else {}
    settings = load_settings(data_dir=tmp_path / "busy", database_pool_size=1,
                             database_pool_timeout_seconds=0.2, **extra)  # fmt: skip
    app = create_app(settings)
    try:
        headers, _ = _firm_headers(app)
        with TestClient(app) as client:
            engine = app.state.database.engine
            with engine.connect(), engine.connect():  # the pool's 1 + 1 overflow, both busy
                busy = client.get("/api/v1/needs", headers=headers)
            assert busy.status_code == 503
            assert busy.headers["Retry-After"] == "5"
            assert busy.headers["content-type"].startswith(PROBLEM)
            assert "busy" in busy.json()["detail"]
            assert client.get("/api/v1/needs", headers=headers).status_code == 200  # recovered
    finally:
        app.state.database.dispose()


def test_a_nul_in_a_login_email_is_refused_as_invalid(client: TestClient) -> None:
    body = {"email": "a\u0000@example.cn", "password": "whatever-long-enough"}
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


def test_a_value_the_database_cannot_store_is_a_422_not_a_500(
    client: TestClient, make: Any, database_url: str | None
) -> None:
    # Found by the API fuzz run on PostgreSQL, which refuses NUL even in a query parameter;
    # SQLite takes it and finds nothing.
    make.need(make.enterprise(EnterpriseSize.LARGE), title="电子特气供应")
    response = client.get("/api/v1/needs", params={"q": "电子\u0000特气"})
    if database_url is None:
        assert response.status_code == 200 and response.json()["items"] == []
    else:
        assert response.status_code == 422
        assert "NUL" in response.json()["detail"]
