"""Every HTML form route checks CSRF, and every private page asks for a login.

These walk the application's routes rather than listing them by hand, so a new page that
forgets either check fails here.
"""

from __future__ import annotations

import re
import tempfile
from typing import Any

import pytest
from conftest import page_login
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from matchmaker.config import load_settings
from matchmaker.fields import Role
from matchmaker.main import create_app

# Pages anyone may open without logging in.
PUBLIC_PAGES = {
    "/",
    "/healthz",
    "/readyz",
    "/login",
    "/signup",
    "/needs",
    "/needs/{need_id}",
    "/password/forgot",
    "/password/forgot/sent",
    "/password/reset/{token}",
    "/signup/organiser",
    "/signup/waiting",
    "/profiles/{profile_id}",
    "/verify",  # anyone holding a signing certificate checks it
    "/verify/{code}",
}


def _routes(entries: list[Any]) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers of any FastAPI version."""
    found: list[tuple[str, set[str]]] = []
    for entry in entries:
        if isinstance(entry, APIRoute):
            found.append((entry.path, set(entry.methods)))
        elif hasattr(entry, "effective_candidates"):
            found.extend(_routes(entry.effective_candidates()))
        elif hasattr(entry, "original_route") and isinstance(entry.original_route, APIRoute):
            found.append((entry.path, set(entry.original_route.methods)))
    return found


def _page_routes(method: str) -> list[str]:
    app = create_app(load_settings(data_dir=tempfile.mkdtemp(prefix="mm-routes-")))
    paths = {p for p, methods in _routes(app.routes) if method in methods}
    app.state.database.dispose()
    return sorted(p for p in paths if not p.startswith("/api/"))


def _filled(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x-1", path)


@pytest.mark.parametrize("path", _page_routes("POST"))
def test_every_form_post_without_csrf_is_refused(client: TestClient, make: Any, path: str) -> None:
    admin = make.user(Role.ADMIN)
    page_login(client, admin.email)
    response = client.post(_filled(path), data={}, follow_redirects=False)
    assert response.status_code == 403, f"{path} accepted a form without csrf_token"


@pytest.mark.parametrize("path", [p for p in _page_routes("GET") if p not in PUBLIC_PAGES])
def test_every_private_page_sends_anonymous_visitors_to_login(
    client: TestClient, path: str
) -> None:
    response = client.get(_filled(path), follow_redirects=False)
    assert response.status_code == 303, f"{path} answered {response.status_code} to a visitor"
    assert response.headers["location"].startswith("/login?next=")
