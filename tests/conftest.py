"""Shared test fixtures: a fresh data dir, app and database per test, and small factories."""

from __future__ import annotations

import datetime as dt
import email.policy
import functools
import itertools
import os
import time
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

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
from matchmaker.migrate import upgrade
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile

PASSWORD = "Correct-Horse-42"
_serial = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return security.hash_password(PASSWORD)


# MATCHMAKER_TEST_DATABASE_URL=postgresql+psycopg://user:pass@host/db runs the suite on
# PostgreSQL (`make test-postgres`): the role needs CREATEDB. Once per session a template
# database gets the migrated schema; every test then gets its own copy (CREATE DATABASE ...
# TEMPLATE), dropped afterwards. Unset, every test uses SQLite in its tmp data dir.
TEST_DATABASE_URL = os.environ.get("MATCHMAKER_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[tuple[Engine, URL, str] | None]:
    """An AUTOCOMMIT connection to the server and the name of the migrated template."""
    if TEST_DATABASE_URL is None:
        yield None
        return
    base = make_url(TEST_DATABASE_URL)
    admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    template = f"mm_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{template}"'))
    database = Database(base.set(database=template).render_as_string(hide_password=False))
    try:
        upgrade(database)
    finally:
        database.dispose()
    yield admin, base, template
    _drop_database(admin, template)
    admin.dispose()


@pytest.fixture
def database_url(_pg_admin: tuple[Engine, URL, str] | None) -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test, or None for the default SQLite file."""
    if _pg_admin is None:
        yield None
        return
    admin, base, template = _pg_admin
    name = f"mm_t_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    _drop_database(admin, name)


def _drop_database(admin: Engine, name: str, attempts: int = 20) -> None:
    """Drop a test database; retried while a server process (autovacuum) still has it open."""
    for attempt in range(attempts):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except (OperationalError, ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
        else:
            return


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    if database_url is None:
        return load_settings(data_dir=tmp_path / "data")
    return load_settings(data_dir=tmp_path / "data", database_url=database_url)


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
