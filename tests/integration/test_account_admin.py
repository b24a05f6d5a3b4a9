"""Account administration and self-service: who may confirm, deactivate and reactivate whom,
the account list, the user's own account page, and logins of waiting or deactivated users."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from conftest import PASSWORD
from fastapi.testclient import TestClient
from sqlalchemy import null, select, update

from matchmaker.accounts.models import ApiToken, LoginSession, User
from matchmaker.fields import EnterpriseSize, Role
from matchmaker.notifications.models import Notification

NEW_PASSWORD = "Another-Horse-77"
WAITING = "the account is waiting for confirmation by an administrator"
DEACTIVATED = "email or password is wrong, or the account is deactivated"
Browser = Callable[[str | None], TestClient]
Outbox = Callable[[], list[EmailMessage]]


@pytest.fixture
def browser(app: Any) -> Iterator[Browser]:
    """A fresh client logged in as `email` (anonymous for None), holding a CSRF cookie."""
    opened: list[TestClient] = []

    def open_one(email: str | None) -> TestClient:
        client = TestClient(app)
        opened.append(client)
        if email is None:
            client.get("/login")
        else:
            response = api_login(client, email)
            assert response.status_code == 200, response.text
        return client

    yield open_one
    for client in opened:
        client.close()


def api_login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def person(make: Any, role: Role, *, waiting: bool = False, **values: Any) -> User:
    """A user of `role`, with an enterprise of the right size for firm and SME members."""
    enterprise = None
    if role is Role.FIRM:
        enterprise = make.enterprise(EnterpriseSize.LARGE)
    elif role is Role.SME:
        enterprise = make.enterprise(EnterpriseSize.SMALL)
    if role is Role.ORGANISER:
        values.setdefault("organisation", "浦东新区中小企业服务中心")
    if waiting:
        values["confirmed_at"] = null()  # None would let the column default confirm it
    user: User = make.user(role, enterprise, **values)
    return user


def reloaded(db: Any, user: User) -> User:
    db.expire_all()
    fresh: User = db.get(User, user.id)
    return fresh


def state(db: Any, user: User) -> tuple[bool, bool]:
    """(active, confirmed) as stored."""
    fresh = reloaded(db, user)
    return fresh.is_active, fresh.confirmed_at is not None


def post(client: TestClient, url: str, csrf: bool = True, **form: str) -> httpx.Response:
    data = {**form, "csrf_token": client.cookies["mm_csrf"]} if csrf else form
    return client.post(url, data=data, follow_redirects=False)


def actor_client(browser: Browser, make: Any, actor: str) -> TestClient:
    if actor == "anonymous":
        return browser(None)
    return browser(person(make, Role(actor)).email)


ACTORS = ["admin", "organiser", "firm", "sme", "anonymous"]
TARGETS = [Role.FIRM, Role.SME, Role.ORGANISER, Role.ADMIN]
REFUSED = {"firm": 403, "sme": 403, "anonymous": 401}


def expected_status(actor: str, target: Role, organiser_may: bool) -> int:
    if actor in REFUSED:
        return REFUSED[actor]
    if actor == "admin":
        return 303
    member = target in (Role.FIRM, Role.SME)
    return 303 if member and organiser_may else 403


# Logins of waiting and deactivated accounts -------------------------------------------------


def test_login_refused_while_waiting_for_confirmation(browser: Browser, make: Any, db: Any) -> None:
    user = person(make, Role.FIRM, waiting=True)
    response = api_login(browser(None), user.email)
    assert (response.status_code, response.json()["detail"]) == (401, WAITING)
    wrong = api_login(browser(None), user.email, "Wrong-Password-1")
    assert (wrong.status_code, wrong.json()["detail"]) == (401, DEACTIVATED)
    page = browser(None)
    page.cookies.set("mm_lang", "en")
    shown = post(page, "/login", email=user.email, password=PASSWORD)
    assert shown.status_code == 401
    assert "waiting for confirmation by an administrator" in shown.text


def test_login_refused_when_deactivated(browser: Browser, make: Any) -> None:
    user = person(make, Role.SME, is_active=False)
    response = api_login(browser(None), user.email)
    assert (response.status_code, response.json()["detail"]) == (401, DEACTIVATED)


@pytest.mark.parametrize("change", ["unconfirmed", "deactivated"])
def test_sessions_and_tokens_stop_working_for_locked_out_users(
    browser: Browser, make: Any, db: Any, change: str
) -> None:
    user = person(make, Role.SME)
    session = browser(user.email)
    token = make.token_headers(user)
    assert session.get("/api/v1/me").status_code == 200
    assert browser(None).get("/api/v1/me", headers=token).status_code == 200
    values = {"confirmed_at": None} if change == "unconfirmed" else {"is_active": False}
    db.execute(update(User).where(User.id == user.id).values(**values))
    db.commit()
    assert session.get("/api/v1/me").status_code == 401
    assert browser(None).get("/api/v1/me", headers=token).status_code == 401


# The permission matrix ----------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=[role.value for role in TARGETS])
@pytest.mark.parametrize("actor", ACTORS)
def test_confirm_permissions(
    browser: Browser, make: Any, db: Any, outbox: Outbox, actor: str, target: Role
) -> None:
    client = actor_client(browser, make, actor)
    user = person(make, target, waiting=True)
    response = post(client, f"/admin/users/{user.id}/confirm")
    expected = expected_status(actor, target, organiser_may=True)
    assert response.status_code == expected
    assert state(db, user) == (True, expected == 303)
    assert [mail["To"] for mail in outbox()] == ([user.email] if expected == 303 else [])


@pytest.mark.parametrize("target", TARGETS, ids=[role.value for role in TARGETS])
@pytest.mark.parametrize("actor", ACTORS)
def test_deactivate_permissions(
    browser: Browser, make: Any, db: Any, actor: str, target: Role
) -> None:
    client = actor_client(browser, make, actor)
    user = person(make, target)
    response = post(client, f"/admin/users/{user.id}/deactivate")
    expected = expected_status(actor, target, organiser_may=True)
    assert response.status_code == expected
    assert state(db, user) == (expected != 303, True)


@pytest.mark.parametrize("target", TARGETS, ids=[role.value for role in TARGETS])
@pytest.mark.parametrize("actor", ACTORS)
def test_reactivate_permissions(
    browser: Browser, make: Any, db: Any, actor: str, target: Role
) -> None:
    client = actor_client(browser, make, actor)
    user = person(make, target, is_active=False)
    response = post(client, f"/admin/users/{user.id}/reactivate")
    expected = expected_status(actor, target, organiser_may=False)
    assert response.status_code == expected
    assert state(db, user) == (expected == 303, True)


@pytest.mark.parametrize("action", ["confirm", "deactivate", "reactivate"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORGANISER])
def test_nobody_manages_their_own_account(
    browser: Browser, make: Any, db: Any, role: Role, action: str
) -> None:
    me = person(make, role)
    client = browser(me.email)
    assert post(client, f"/admin/users/{me.id}/{action}").status_code == 403
    assert state(db, me) == (True, True)


def test_confirm_notifies_and_mails_the_user_who_can_then_log_in(
    browser: Browser, make: Any, db: Any, outbox: Outbox
) -> None:
    organiser = person(make, Role.ORGANISER)
    user = person(make, Role.FIRM, waiting=True, display_name="陈刚")
    client = browser(organiser.email)
    response = post(client, f"/admin/users/{user.id}/confirm", next="/admin/users?status=waiting")
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/admin/users?status=waiting",
    )
    db.expire_all()
    kinds = db.execute(select(Notification.user_id, Notification.kind, Notification.link)).all()
    assert [tuple(row) for row in kinds] == [(user.id, "account_confirmed", "/dashboard")]
    [mail] = outbox()
    assert (mail["To"], mail["Subject"]) == (user.email, "您的账户已确认")
    assert "陈刚，您好" in mail.get_content()
    assert "http://127.0.0.1:8000/login" in mail.get_content()
    assert api_login(browser(None), user.email).status_code == 200
    again = post(client, f"/admin/users/{user.id}/confirm")
    assert again.status_code == 303
    assert "未做任何更改" in client.get(again.headers["location"]).text


def test_deactivate_ends_sessions_and_tokens(browser: Browser, make: Any, db: Any) -> None:
    admin = person(make, Role.ADMIN)
    user = person(make, Role.SME)
    session = browser(user.email)
    token = make.token_headers(user)
    response = post(browser(admin.email), f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 303
    db.expire_all()
    assert db.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all() == []
    assert session.get("/api/v1/me").status_code == 401
    assert browser(None).get("/api/v1/me", headers=token).status_code == 401
    assert post(browser(admin.email), f"/admin/users/{user.id}/reactivate").status_code == 303
    assert api_login(browser(None), user.email).status_code == 200


# The account list ---------------------------------------------------------------------------


@pytest.fixture
def population(make: Any) -> dict[str, User]:
    return {
        "waiting_firm": person(make, Role.FIRM, waiting=True, email="waiting.firm@example.cn"),
        "waiting_organiser": person(
            make, Role.ORGANISER, waiting=True, email="waiting.org@example.cn"
        ),
        "active_sme": person(make, Role.SME, email="active.sme@example.cn"),
        "gone_sme": person(make, Role.SME, is_active=False, email="gone.sme@example.cn"),
    }


def emails_listed(page: httpx.Response, population: dict[str, User]) -> set[str]:
    return {user.email for user in population.values() if user.email in page.text}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"waiting_firm", "waiting_organiser", "active_sme", "gone_sme"}),
        ("?status=waiting", {"waiting_firm", "waiting_organiser"}),
        ("?status=active", {"active_sme"}),
        ("?status=deactivated", {"gone_sme"}),
        ("?role=sme", {"active_sme", "gone_sme"}),
        ("?status=waiting&role=firm", {"waiting_firm"}),
        ("?q=gone.sme", {"gone_sme"}),
    ],
)
def test_account_list_filters(
    browser: Browser, make: Any, population: dict[str, User], query: str, expected: set[str]
) -> None:
    client = browser(person(make, Role.ADMIN).email)
    page = client.get(f"/admin/users{query}")
    assert page.status_code == 200
    assert emails_listed(page, population) == {population[key].email for key in expected}


def test_account_list_offers_organisers_only_their_actions(
    browser: Browser, make: Any, population: dict[str, User]
) -> None:
    page = browser(person(make, Role.ORGANISER).email).get("/admin/users")
    assert page.status_code == 200
    forms = {
        (key, action)
        for key, user in population.items()
        for action in ("confirm", "deactivate", "reactivate")
        if f'action="/admin/users/{user.id}/{action}"' in page.text
    }
    assert forms == {
        ("waiting_firm", "confirm"),
        ("waiting_firm", "deactivate"),
        ("active_sme", "deactivate"),
    }


def test_account_list_paginates(browser: Browser, make: Any) -> None:
    admin = person(make, Role.ADMIN)
    for n in range(30):
        make.user(Role.ORGANISER, email=f"page{n:02d}@example.cn")
    client = browser(admin.email)
    first = client.get("/admin/users?role=organiser")
    second = client.get("/admin/users?role=organiser&page=2")
    assert 'href="/admin/users?role=organiser&amp;page=2"' in first.text
    shown = [set(re.findall(r"page\d\d@example\.cn", page.text)) for page in (first, second)]
    assert (len(shown[0]), len(shown[1]), shown[0] & shown[1]) == (25, 5, set())


@pytest.mark.parametrize(("actor", "expected"), [("firm", 403), ("sme", 403), ("anonymous", 303)])
def test_account_list_closed_to_members_and_anonymous(
    browser: Browser, make: Any, actor: str, expected: int
) -> None:
    response = actor_client(browser, make, actor).get("/admin/users", follow_redirects=False)
    assert response.status_code == expected
    if actor == "anonymous":
        assert response.headers["location"] == "/login?next=/admin/users"


# The user's own account ---------------------------------------------------------------------


def test_account_page_shows_the_user(browser: Browser, make: Any) -> None:
    user = person(make, Role.SME, display_name="周洁")
    page = browser(user.email).get("/account")
    assert page.status_code == 200
    assert "周洁" in page.text and user.email in page.text and "我的账户" in page.text
    assert 'id="f-current_password"' in page.text


def test_account_change_password_keeps_this_browser_and_ends_others(
    browser: Browser, make: Any
) -> None:
    user = person(make, Role.SME)
    here, elsewhere = browser(user.email), browser(user.email)
    response = post(
        here,
        "/account/password",
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        new_password_again=NEW_PASSWORD,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert api_login(browser(None), user.email, NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "again", "field", "message"),
    [
        ("Wrong-Password-1", NEW_PASSWORD, NEW_PASSWORD, "current_password", "密码不正确"),
        (PASSWORD, NEW_PASSWORD, "Other-Password-9", "new_password_again", "两次输入的密码不一致。"),
        (PASSWORD, "short-1", "short-1", "new_password", "密码至少需要 10 个字符"),
    ],
    ids=["wrong-current", "mismatch", "too-short"],
)  # fmt: skip
def test_account_change_password_errors_shown(
    browser: Browser, make: Any, current: str, new: str, again: str, field: str, message: str
) -> None:
    user = person(make, Role.SME)
    client = browser(user.email)
    response = post(
        client,
        "/account/password",
        current_password=current,
        new_password=new,
        new_password_again=again,
    )
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text and message in response.text
    assert api_login(browser(None), user.email).status_code == 200


def test_account_token_shown_once_then_revoked(browser: Browser, make: Any, db: Any) -> None:
    user = person(make, Role.FIRM)
    client = browser(user.email)
    created = post(client, "/account/tokens", name="ERP 导出", expires_in_days="30")
    assert created.status_code == 201
    raw = created.text.split('<code id="new-token">')[1].split("</code>")[0]
    headers = {"Authorization": f"Bearer {raw}"}
    assert browser(None).get("/api/v1/me", headers=headers).status_code == 200
    assert raw not in client.get("/account").text
    db.expire_all()
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    revoked = post(client, f"/account/tokens/{token.id}/revoke")
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/account")
    assert browser(None).get("/api/v1/me", headers=headers).status_code == 401


# CSRF on every form -------------------------------------------------------------------------


def test_account_forms_without_csrf_forbidden(
    browser: Browser, make: Any, db: Any, outbox: Outbox
) -> None:
    admin = person(make, Role.ADMIN)
    client = browser(admin.email)
    waiting = person(make, Role.FIRM, waiting=True)
    active = person(make, Role.SME)
    gone = person(make, Role.SME, is_active=False)
    make.token_headers(admin)
    db.expire_all()
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == admin.id))
    forms = [
        (f"/admin/users/{waiting.id}/confirm", {}),
        (f"/admin/users/{active.id}/deactivate", {}),
        (f"/admin/users/{gone.id}/reactivate", {}),
        (
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_again": NEW_PASSWORD,
            },
        ),
        ("/account/tokens", {"name": "不应创建", "expires_in_days": "30"}),
        (f"/account/tokens/{token.id}/revoke", {}),
    ]
    for url, form in forms:
        assert post(client, url, csrf=False, **form).status_code == 403, url
    assert [state(db, user) for user in (waiting, active, gone)] == [
        (True, False),
        (True, True),
        (False, True),
    ]
    db.expire_all()
    tokens = db.scalars(select(ApiToken).where(ApiToken.user_id == admin.id)).all()
    assert [(t.name, t.revoked_at) for t in tokens] == [("test", None)]
    assert outbox() == []
    assert api_login(browser(None), admin.email).status_code == 200
