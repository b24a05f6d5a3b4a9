"""Shared test fixtures: a fresh data dir, app and database per test, and small factories."""

from __future__ import annotations

import datetime as dt
import email.policy
import functools
import itertools
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from matchmaker import clock
from matchmaker.accounts import security
from matchmaker.accounts.models import User
from matchmaker.accounts.schemas import TokenCreate
from matchmaker.accounts.service import issue_token
from matchmaker.config import Settings, load_settings
from matchmaker.db import Database
from matchmaker.enterprises.models import Enterprise
from matchmaker.events.models import Event, EventNeed, EventSME
from matchmaker.fields import (
    EnterpriseSize,
    EventStatus,
    NeedStatus,
    NeedType,
    Participation,
    ProfileStatus,
    Role,
)
from matchmaker.main import create_app
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile

PASSWORD = "Correct-Horse-42"
_serial = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return security.hash_password(PASSWORD)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings) -> Any:
    application = create_app(settings)
    yield application
    application.state.database.dispose()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def db(app: Any) -> Iterator[Session]:
    database: Database = app.state.database
    with database.session() as session:
        yield session


class Factory:
    """Builds records straight in the database; each call gets unique ids and names."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def enterprise(self, size: EnterpriseSize = EnterpriseSize.SMALL, **values: Any) -> Enterprise:
        n = next(_serial)
        defaults: dict[str, Any] = {
            "id": f"ent-{n}",
            "name": f"上海测试{n}科技有限公司",
            "size": size,
            "district": "浦东新区",
            "tags": [],
            "contact_name": f"联系人{n}",
            "contact_phone": "021-55550000",
            "contact_email": f"contact{n}@example.cn",
        }
        enterprise = Enterprise(**{**defaults, **values})
        self.db.add(enterprise)
        self.db.commit()
        return enterprise

    def profile(self, enterprise: Enterprise, **values: Any) -> CapabilityProfile:
        n = next(_serial)
        defaults: dict[str, Any] = {
            "id": f"prof-{n}",
            "enterprise_id": enterprise.id,
            "title": f"电子特气供应 {n}",
            "summary": "高纯电子特气的研发与供应",
            "capabilities": ["NF3 提纯"],
            "status": ProfileStatus.PUBLISHED,
        }
        profile = CapabilityProfile(**{**defaults, **values})
        self.db.add(profile)
        self.db.commit()
        return profile

    def need(self, enterprise: Enterprise, **values: Any) -> Need:
        n = next(_serial)
        defaults: dict[str, Any] = {
            "id": f"need-{n}",
            "enterprise_id": enterprise.id,
            "type": NeedType.SUPPLY_CHAIN,
            "title": f"晶圆厂电子特气本地化供应 {n}",
            "description": "寻找12英寸晶圆厂电子特气供应商",
            "status": NeedStatus.OPEN,
            "deadline": clock.today() + dt.timedelta(days=60),
        }
        need = Need(**{**defaults, **values})
        self.db.add(need)
        self.db.commit()
        return need

    def user(self, role: Role, enterprise: Enterprise | None = None, **values: Any) -> User:
        n = next(_serial)
        defaults: dict[str, Any] = {
            "id": f"user-{n}",
            "email": f"user{n}@example.cn",
            "display_name": f"用户{n}",
            "role": role,
            "enterprise_id": enterprise.id if enterprise else None,
        }
        if "password_hash" not in values:  # argon2 is slow on purpose: hash only when needed
            defaults["password_hash"] = _password_hash()
        user = User(**{**defaults, **values})
        self.db.add(user)
        self.db.commit()
        return user

    def event(self, organiser: User | None = None, **values: Any) -> Event:
        n = next(_serial)
        defaults: dict[str, Any] = {
            "id": f"event-{n}",
            "title": f"集成电路产业链对接会 {n}",
            "starts_at": dt.datetime(2027, 3, 18, 1, 30, tzinfo=dt.UTC),  # 09:30 Shanghai
            "venue": "张江科学会堂",
            "slot_minutes": 20,
            "slots": 6,
            "tables": 4,
            "shortlist_size": 3,
            "sme_capacity": 2,
            "status": EventStatus.PUBLISHED,
            "organiser_id": organiser.id if organiser else None,
        }
        event = Event(**{**defaults, **values})
        self.db.add(event)
        self.db.commit()
        return event

    def event_need(
        self, event: Event, need: Need, status: Participation = Participation.ACCEPTED
    ) -> EventNeed:
        row = EventNeed(event_id=event.id, need_id=need.id, status=status)
        self.db.add(row)
        self.db.commit()
        return row

    def event_sme(
        self,
        event: Event,
        profile: CapabilityProfile,
        status: Participation = Participation.ACCEPTED,
        **values: Any,
    ) -> EventSME:
        row = EventSME(
            event_id=event.id,
            enterprise_id=profile.enterprise_id,
            profile_id=profile.id,
            status=status,
            **values,
        )
        self.db.add(row)
        self.db.commit()
        return row

    def token_headers(self, user: User) -> dict[str, str]:
        _token, raw = issue_token(self.db, user=user, data=TokenCreate(name="test"))
        return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def make(db: Session) -> Factory:
    return Factory(db)


@pytest.fixture
def outbox(settings: Settings) -> Callable[[], list[EmailMessage]]:
    """The mails the app has sent so far (the default file backend), oldest first."""

    def read() -> list[EmailMessage]:
        folder = settings.data_dir / "outbox"
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        parser = BytesParser(policy=email.policy.default)
        return [cast(EmailMessage, parser.parsebytes(path.read_bytes())) for path in files]

    return read


def page_login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the HTML form like a browser; returns the CSRF token for later forms."""
    client.get("/login")
    csrf = client.cookies["mm_csrf"]
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf, "next": "/dashboard"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client.cookies["mm_csrf"]
