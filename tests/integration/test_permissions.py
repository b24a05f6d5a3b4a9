"""The permission matrix: every actor against every action, and refused writes change nothing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from matchmaker.accounts import security
from matchmaker.accounts.models import User
from matchmaker.db import utcnow
from matchmaker.enterprises.models import Enterprise, MeetingConsent
from matchmaker.fields import CloseReason, EnterpriseSize, NeedStatus, ProfileStatus, Role
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile

ACTORS = ("anonymous", "firm_owner", "firm_other", "sme_owner", "sme_other", "organiser", "admin")
# These tests authenticate by API token; one shared hash spares an argon2 run per user.
HASH = security.hash_password("Unused-Password-1")
_serial = itertools.count(1)


@dataclass
class World:
    """`big` (large) owns the needs, `small` (SME) owns the profiles; `*2` are bystanders."""

    app: Any
    client: TestClient
    enterprises: dict[str, Enterprise]
    users: dict[str, User | None]
    headers: dict[str, dict[str, str]]
    records: dict[str, Any]

    def call(self, actor: str, method: str, url: str, body: Any = None) -> httpx.Response:
        return self.client.request(method, url, headers=self.headers[actor], json=body)

    def user_id(self, actor: str) -> str:
        user = self.users[actor]
        assert user is not None
        return user.id


def add_user(make: Any, role: Role, enterprise: Enterprise | None = None, **values: Any) -> User:
    """Like make.user, but with the shared password hash."""
    n = next(_serial)
    user = User(
        id=f"perm-user-{n}",
        email=f"perm{n}@example.cn",
        password_hash=HASH,
        display_name=f"用户{n}",
        role=role,
        enterprise_id=enterprise.id if enterprise else None,
        **values,
    )
    make.db.add(user)
    make.db.commit()
    return user


@pytest.fixture
def world(app: Any, client: TestClient, make: Any) -> World:
    ents = {
        "big": make.enterprise(EnterpriseSize.LARGE),
        "big2": make.enterprise(EnterpriseSize.LARGE),
        "small": make.enterprise(EnterpriseSize.SMALL),
        "small2": make.enterprise(EnterpriseSize.MICRO),
    }
    users: dict[str, User | None] = {
        "anonymous": None,
        "firm_owner": add_user(make, Role.FIRM, ents["big"]),
        "firm_other": add_user(make, Role.FIRM, ents["big2"]),
        "sme_owner": add_user(make, Role.SME, ents["small"]),
        "sme_other": add_user(make, Role.SME, ents["small2"]),
        "organiser": add_user(make, Role.ORGANISER, organisation="上海市经信委"),
        "admin": add_user(make, Role.ADMIN),
    }
    headers = {name: make.token_headers(user) if user else {} for name, user in users.items()}
    big, small = ents["big"], ents["small"]
    records: dict[str, Any] = {
        "enterprise_big": big,
        "enterprise_small": small,
        "need_draft": make.need(big, status=NeedStatus.DRAFT),
        "need_open": make.need(big, status=NeedStatus.OPEN),
        "need_closed": make.need(
            big, status=NeedStatus.CLOSED, close_reason=CloseReason.WITHDRAWN, closed_at=utcnow()
        ),
        "profile_draft": make.profile(small, status=ProfileStatus.DRAFT),
        "profile_published": make.profile(small, status=ProfileStatus.PUBLISHED),
    }
    return World(app, client, ents, users, headers, records)


def stored(app: Any, model: type[Any], key: str) -> dict[str, Any] | None:
    """The record's columns as a fresh session reads them from the database, or None."""
    with app.state.database.session() as session:
        record = session.get(model, key)
        if record is None:
            return None
        return {column.key: getattr(record, column.key) for column in inspect(model).column_attrs}


def count(app: Any, model: type[Any]) -> int:
    with app.state.database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def table(rows: dict[str, tuple[int, ...]]) -> list[Any]:
    """Expand {action: one status per actor, in ACTORS order} into parametrize cases."""
    cases = []
    for action, statuses in rows.items():
        assert len(statuses) == len(ACTORS), action
        for actor, status in zip(ACTORS, statuses, strict=True):
            cases.append(pytest.param(actor, action, status, id=f"{action}-{actor}"))
    return cases


def contact_of(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "name": enterprise.contact_name,
        "phone": enterprise.contact_phone,
        "email": enterprise.contact_email,
    }


# Enterprises: reading, contacts, consent --------------------------------------------------

# Everyone lists and reads enterprises; who also sees `small`'s contact details without consent.
CONTACT_VISIBLE = dict(zip(ACTORS, (False, False, False, True, False, True, True), strict=True))


@pytest.mark.parametrize(("actor", "visible"), CONTACT_VISIBLE.items())
def test_enterprise_read_and_contacts_by_actor(world: World, actor: str, visible: bool) -> None:
    small = world.enterprises["small"]
    expected = contact_of(small) if visible else None
    read = world.call(actor, "GET", f"/api/v1/enterprises/{small.id}")
    assert read.status_code == 200
    assert (read.json()["id"], read.json()["name"], read.json()["contact"]) == (
        small.id,
        small.name,
        expected,
    )
    listing = world.call(actor, "GET", "/api/v1/enterprises")
    assert listing.status_code == 200
    contacts = {item["id"]: item["contact"] for item in listing.json()["items"]}
    assert contacts.keys() == {e.id for e in world.enterprises.values()}
    assert contacts[small.id] == expected


@pytest.mark.parametrize(
    ("actor", "target", "expected"),
    [
        ("anonymous", "small", 401),
        ("firm_owner", "small", 200),
        ("firm_other", "small", 200),
        ("sme_owner", "big", 200),
        ("sme_other", "big", 200),
        ("sme_owner", "small", 422),
        ("organiser", "small", 403),
        ("admin", "small", 403),
    ],
)
def test_enterprise_consent_by_actor(world: World, actor: str, target: str, expected: int) -> None:
    target_id = world.enterprises[target].id
    response = world.call(actor, "POST", f"/api/v1/enterprises/{target_id}/consent")
    assert response.status_code == expected, response.text
    with world.app.state.database.session() as session:
        pairs = session.execute(select(MeetingConsent.enterprise_id, MeetingConsent.counterpart_id))
        rows = [tuple(pair) for pair in pairs]
    if expected == 200:
        own = world.users[actor].enterprise_id  # type: ignore[union-attr]
        assert (response.json(), rows) == ({"mutual": False}, [(own, target_id)])
    else:
        assert rows == []


@pytest.mark.parametrize(
    ("first", "second"), [("firm_owner", "sme_owner"), ("sme_owner", "firm_owner")]
)
def test_enterprise_contacts_need_mutual_consent(
    world: World, make: Any, first: str, second: str
) -> None:
    big, small = world.enterprises["big"], world.enterprises["small"]
    world.headers["colleague"] = make.token_headers(add_user(make, Role.FIRM, big))
    counterpart = {"firm_owner": small, "sme_owner": big}

    def consent(actor: str) -> Any:
        url = f"/api/v1/enterprises/{counterpart[actor].id}/consent"
        return world.call(actor, "POST", url).json()

    def contact(actor: str, enterprise: Enterprise) -> Any:
        return world.call(actor, "GET", f"/api/v1/enterprises/{enterprise.id}").json()["contact"]

    assert consent(first) == {"mutual": False}
    assert (contact("firm_owner", small), contact("sme_owner", big)) == (None, None)

    assert consent(second) == {"mutual": True}
    assert contact("firm_owner", small) == contact_of(small)
    assert contact("colleague", small) == contact_of(small)
    assert contact("sme_owner", big) == contact_of(big)
    outsiders = ("anonymous", "firm_other", "sme_other")
    assert [contact(a, small) for a in outsiders] == [None, None, None]
    assert [contact(a, big) for a in outsiders] == [None, None, None]

    assert consent(first) == {"mutual": True}
    assert count(world.app, MeetingConsent) == 2


# Needs and profiles: reading ----------------------------------------------------------------

RECORD_READS = table(
    {
        #                    anon firm_own firm_oth sme_own sme_oth organiser admin
        "need_draft": (404, 200, 404, 404, 404, 404, 200),
        "need_open": (200, 200, 200, 200, 200, 200, 200),
        "need_closed": (200, 200, 200, 200, 200, 200, 200),
        "profile_draft": (404, 404, 404, 200, 404, 404, 200),
        "profile_published": (200, 200, 200, 200, 200, 200, 200),
    }
)


@pytest.mark.parametrize(("actor", "record", "expected"), RECORD_READS)
def test_record_read_by_actor(world: World, actor: str, record: str, expected: int) -> None:
    kind, _, state = record.partition("_")
    item = world.records[record]
    response = world.call(actor, "GET", f"/api/v1/{kind}s/{item.id}")
    assert response.status_code == expected
    listing = world.call(actor, "GET", f"/api/v1/{kind}s?per_page=100").json()["items"]
    listed = {row["id"] for row in listing}
    if expected == 200:
        assert (response.json()["id"], response.json()["status"]) == (item.id, state)
        assert item.id in listed
    else:
        assert response.json()["detail"] == f"{kind} {item.id!r} does not exist"
        assert item.id not in listed


# Enterprises, needs and profiles: creating and changing ------------------------------------

MODELS = {"enterprise": Enterprise, "need": Need, "profile": CapabilityProfile}
RECORD_CREATES = table(
    {
        # needs and profiles name their enterprise (big, small) or leave it to the actor ("own")
        #                   anon firm_own firm_oth sme_own sme_oth organiser admin
        "enterprise_new": (401, 403, 403, 403, 403, 201, 201),
        "need_named": (401, 201, 403, 403, 403, 403, 201),
        "need_own": (401, 201, 201, 403, 403, 403, 422),
        "profile_named": (401, 403, 403, 201, 403, 403, 201),
        "profile_own": (401, 403, 403, 201, 201, 403, 422),
    }
)
CREATE_BODIES = {
    "enterprise": {"name": "上海新注册精密机械有限公司", "size": "small", "district": "嘉定区"},
    "need": {"type": "technology", "title": "车规级芯片联合攻关", "description": "共建联合实验室"},
    "profile": {"title": "精密注塑件加工", "summary": "汽车内饰注塑，IATF 16949"},
}


@pytest.mark.parametrize(("actor", "case", "expected"), RECORD_CREATES)
def test_record_create_by_actor(world: World, actor: str, case: str, expected: int) -> None:
    kind, _, how = case.partition("_")
    model = MODELS[kind]
    body = dict(CREATE_BODIES[kind])
    if how == "named":
        body["enterprise_id"] = world.enterprises["big" if kind == "need" else "small"].id
    before = count(world.app, model)
    response = world.call(actor, "POST", f"/api/v1/{kind}s", body)
    assert response.status_code == expected, response.text
    assert count(world.app, model) == before + (expected == 201)
    if expected == 201:
        created = stored(world.app, model, response.json()["id"])
        assert created is not None
        if kind != "enterprise":
            # New needs and profiles are drafts of the named enterprise, else the actor's own.
            user = world.users[actor]
            assert user is not None
            body = {"enterprise_id": user.enterprise_id, **body, "status": "draft"}
        assert {key: created[key] for key in body} == body


DESCRIPTION = {"description": "改过的企业简介"}
TITLE = {"title": "改过的标题"}
SUMMARY = {"summary": "新的能力简介"}
PUBLISHED = {"status": NeedStatus.OPEN}
CLOSED = {"status": NeedStatus.CLOSED, "close_reason": CloseReason.FILLED}
REOPENED = {"status": NeedStatus.OPEN, "close_reason": None, "closed_at": None}
RECORD_ACTIONS: dict[str, tuple[str, str, str, Any, dict[str, Any] | None]] = {
    # action: (method, url suffix, record acted on, body, fields after success; None = deleted)
    "enterprise_update_big": ("PATCH", "", "enterprise_big", DESCRIPTION, DESCRIPTION),
    "enterprise_update_small": ("PATCH", "", "enterprise_small", DESCRIPTION, DESCRIPTION),
    "enterprise_delete_big": ("DELETE", "", "enterprise_big", None, None),
    "enterprise_delete_small": ("DELETE", "", "enterprise_small", None, None),
    "need_update_open": ("PATCH", "", "need_open", TITLE, TITLE),
    "need_update_draft": ("PATCH", "", "need_draft", TITLE, TITLE),
    "need_publish": ("POST", "/publish", "need_draft", None, PUBLISHED),
    "need_close": ("POST", "/close", "need_open", {"reason": "filled"}, CLOSED),
    "need_reopen": ("POST", "/reopen", "need_closed", None, REOPENED),
    "need_delete_draft": ("DELETE", "", "need_draft", None, None),
    "need_delete_open": ("DELETE", "", "need_open", None, None),
    "profile_update_published": ("PATCH", "", "profile_published", SUMMARY, SUMMARY),
    "profile_update_draft": ("PATCH", "", "profile_draft", SUMMARY, SUMMARY),
    "profile_delete_published": ("DELETE", "", "profile_published", None, None),
    "profile_delete_draft": ("DELETE", "", "profile_draft", None, None),
}
RECORD_WRITES = table(
    {
        #                           anon firm_own firm_oth sme_own sme_oth organiser admin
        "enterprise_update_big": (401, 200, 403, 403, 403, 403, 200),
        "enterprise_update_small": (401, 403, 403, 200, 403, 403, 200),
        "enterprise_delete_big": (401, 403, 403, 403, 403, 403, 204),
        "enterprise_delete_small": (401, 403, 403, 403, 403, 403, 204),
        "need_update_open": (401, 200, 403, 403, 403, 403, 200),
        "need_update_draft": (401, 200, 404, 404, 404, 404, 200),
        "need_publish": (401, 200, 404, 404, 404, 404, 200),
        "need_close": (401, 200, 403, 403, 403, 403, 200),
        "need_reopen": (401, 200, 403, 403, 403, 403, 200),
        "need_delete_draft": (401, 204, 404, 404, 404, 404, 204),
        "need_delete_open": (401, 409, 403, 403, 403, 403, 204),
        "profile_update_published": (401, 403, 403, 200, 403, 403, 200),
        "profile_update_draft": (401, 404, 404, 200, 404, 404, 200),
        "profile_delete_published": (401, 403, 403, 204, 403, 403, 204),
        "profile_delete_draft": (401, 404, 404, 204, 404, 404, 204),
    }
)


@pytest.mark.parametrize(("actor", "action", "expected"), RECORD_WRITES)
def test_record_write_by_actor(world: World, actor: str, action: str, expected: int) -> None:
    method, suffix, record, body, changes = RECORD_ACTIONS[action]
    kind = record.partition("_")[0]
    model = MODELS[kind]
    record_id = world.records[record].id
    before = stored(world.app, model, record_id)
    response = world.call(actor, method, f"/api/v1/{kind}s/{record_id}{suffix}", body)
    assert response.status_code == expected, response.text
    after = stored(world.app, model, record_id)
    if expected >= 400:
        assert after == before
        assert response.headers["content-type"] == "application/problem+json"
    elif changes is None:
        assert after is None
    else:
        assert before is not None and after is not None
        # Only the acted-on fields change, plus the timestamps the action itself sets.
        volatile = ("updated_at", "closed_at") if action == "need_close" else ("updated_at",)
        expected_row = {**before, **changes, **{key: after[key] for key in volatile}}
        assert after == expected_row
        if kind == "need":
            assert (after["closed_at"] is not None) == (after["status"] is NeedStatus.CLOSED)


# Users ---------------------------------------------------------------------------------------

NEW_USER = {
    "email": "new.organiser@example.cn",
    "password": "Another-Pass-77",
    "display_name": "新组织者",
    "role": "organiser",
}
USER_ACTIONS = table(
    {
        #          anon firm_own firm_oth sme_own sme_oth organiser admin
        "list": (401, 403, 403, 403, 403, 403, 200),
        "create": (401, 403, 403, 403, 403, 403, 201),
        "update": (401, 403, 403, 403, 403, 403, 200),
    }
)


@pytest.mark.parametrize(("actor", "action", "expected"), USER_ACTIONS)
def test_users_admin_api_by_actor(world: World, actor: str, action: str, expected: int) -> None:
    victim = world.user_id("sme_other")
    before_victim = stored(world.app, User, victim)
    before_count = count(world.app, User)
    if action == "list":
        response = world.call(actor, "GET", "/api/v1/users")
    elif action == "create":
        response = world.call(actor, "POST", "/api/v1/users", NEW_USER)
    else:
        response = world.call(actor, "PATCH", f"/api/v1/users/{victim}", {"display_name": "改名"})
    assert response.status_code == expected, response.text
    assert count(world.app, User) == before_count + (expected == 201)
    after_victim = stored(world.app, User, victim)
    assert after_victim is not None
    if action == "list" and expected == 200:
        everyone = {user.id for user in world.users.values() if user is not None}
        assert {user["id"] for user in response.json()} == everyone
    elif action == "update" and expected == 200:
        assert after_victim == {**before_victim, "display_name": "改名"}  # type: ignore[dict-item]
    else:
        assert after_victim == before_victim


@pytest.mark.parametrize("actor", ["firm_owner", "sme_owner", "organiser"])
def test_users_self_promotion_to_admin_refused(world: World, actor: str) -> None:
    own_id = world.user_id(actor)
    before = stored(world.app, User, own_id)
    response = world.call(actor, "PATCH", f"/api/v1/users/{own_id}", {"role": "admin"})
    assert response.status_code == 403
    assert stored(world.app, User, own_id) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_me_by_actor(world: World, actor: str) -> None:
    response = world.call(actor, "GET", "/api/v1/me")
    user = world.users[actor]
    if user is None:
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["role"]) == (user.id, user.role.value)
