"""The audit log records logins, contact views, exports, signings and admin actions,
cannot be changed, is shown only to admins, and is purged only after the retention period."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, Factory, page_login
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.audit.models import AppendOnlyError, AuditEvent
from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.db import utcnow
from matchmaker.enterprises import service as enterprises
from matchmaker.fields import EnterpriseSize, Role


def _events(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    statement = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(statement).all())


def _cli(settings: Settings, *args: str, **env: str) -> Any:
    base = {
        "MATCHMAKER_DATA_DIR": str(settings.data_dir),
        "MATCHMAKER_DATABASE_URL": settings.db_url,
    }
    return CliRunner().invoke(cli_app, list(args), env={**base, **env})


def test_page_login_success_and_failure_are_recorded(
    client: TestClient, db: Session, make: Factory
) -> None:
    user = make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE))
    client.get("/login")
    wrong = {"email": user.email, "password": "wrong-password", "csrf_token": client.cookies["mm_csrf"]}  # fmt: skip
    assert client.post("/login", data=wrong, follow_redirects=False).status_code == 401
    page_login(client, user.email)
    failed = _events(db, actions.LOGIN_FAILED)
    succeeded = _events(db, actions.LOGIN_SUCCEEDED)
    assert [(e.actor_user_id, e.actor_role, e.details) for e in failed] == [
        (user.id, "firm", {"email": user.email})
    ]
    assert [(e.actor_user_id, e.target_type, e.target_id) for e in succeeded] == [
        (user.id, "user", user.id)
    ]
    assert succeeded[0].ip == "testclient"


def test_api_login_of_an_unknown_email_is_recorded_without_a_user(
    client: TestClient, db: Session
) -> None:
    body = {"email": "nobody@example.cn", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=body).status_code == 401
    [event] = _events(db, actions.LOGIN_FAILED)
    assert (event.actor_user_id, event.actor_role) == (None, "anonymous")


def test_viewing_contact_details_is_recorded(
    client: TestClient, db: Session, make: Factory
) -> None:
    enterprise = make.enterprise()
    member = make.user(Role.SME, enterprise)
    outsider = make.user(Role.SME, make.enterprise())
    client.get(f"/api/v1/enterprises/{enterprise.id}", headers=make.token_headers(outsider))
    assert _events(db, actions.CONTACT_VIEWED) == []  # no consent: nothing revealed
    response = client.get(
        f"/api/v1/enterprises/{enterprise.id}", headers=make.token_headers(member)
    )
    assert response.json()["contact"]["phone"] == "021-55550000"
    [event] = _events(db, actions.CONTACT_VIEWED)
    assert (event.actor_user_id, event.target_type, event.target_id) == (
        member.id, "enterprise", enterprise.id,
    )  # fmt: skip


def test_contact_details_shown_on_need_and_candidate_pages_are_recorded(
    client: TestClient, db: Session, make: Factory
) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海审计测试集成电路有限公司")
    need = make.need(firm, title="电子特气本地化供应", description="寻找高纯NF3电子特气供应商")
    sme = make.enterprise(name="上海审计测试特气有限公司", contact_phone="021-61234567")
    make.profile(sme, title="高纯电子特气NF3供应", summary="高纯NF3电子特气提纯与充装")
    firm_user, sme_user = make.user(Role.FIRM, firm), make.user(Role.SME, sme)

    page_login(client, firm_user.email)
    assert "021-61234567" not in client.get(f"/needs/{need.id}/candidates").text
    assert _events(db, actions.CONTACT_VIEWED) == []  # hidden until both sides agree

    enterprises.record_consent(db, firm.id, sme.id)
    enterprises.record_consent(db, sme.id, firm.id)
    db.commit()
    assert "021-61234567" in client.get(f"/needs/{need.id}/candidates").text
    page_login(client, sme_user.email)
    assert client.get(f"/needs/{need.id}").status_code == 200
    seen = [(e.actor_user_id, e.target_id, e.details) for e in _events(db, actions.CONTACT_VIEWED)]
    assert seen == [
        (firm_user.id, sme.id, {"in": "candidates", "id": need.id}),
        (sme_user.id, firm.id, {"in": "need", "id": need.id}),
    ]


def test_event_exports_are_recorded(client: TestClient, db: Session, make: Factory) -> None:
    organiser = make.user(Role.ORGANISER)
    event = make.event(organiser)
    headers = make.token_headers(organiser)
    assert (
        client.get(f"/events/{event.id}/export/shortlists.csv", headers=headers).status_code == 200
    )
    assert (
        client.get(f"/events/{event.id}/export/runsheet.xlsx", headers=headers).status_code == 200
    )
    recorded = [
        (e.actor_user_id, e.target_id, e.details) for e in _events(db, actions.EXPORT_EVENT)
    ]
    assert recorded == [
        (organiser.id, event.id, {"kind": "shortlists"}),
        (organiser.id, event.id, {"kind": "runsheet"}),
    ]


def test_the_export_command_is_recorded(settings: Settings, db: Session, tmp_path: Path) -> None:
    result = _cli(settings, "export", "enterprises", "-o", str(tmp_path / "e.jsonl"))
    assert result.exit_code == 0, result.output
    [event] = _events(db, actions.EXPORT_DATA)
    assert (event.actor_role, event.target_id) == ("anonymous", "enterprises")


def test_role_changes_and_deactivation_are_recorded(
    client: TestClient, db: Session, make: Factory
) -> None:
    admin = make.user(Role.ADMIN)
    target = make.user(Role.ORGANISER)
    headers = make.token_headers(admin)
    response = client.patch(f"/api/v1/users/{target.id}", json={"role": "admin"}, headers=headers)
    assert response.status_code == 200, response.text
    [changed] = _events(db, actions.USER_ROLE_CHANGED)
    assert (changed.actor_user_id, changed.target_id) == (admin.id, target.id)
    assert changed.details == {"changed": {"role": ["organiser", "admin"]}}
    csrf = page_login(client, admin.email)
    other = make.user(Role.SME, make.enterprise())
    client.post(f"/admin/users/{other.id}/deactivate", data={"csrf_token": csrf})
    assert [e.target_id for e in _events(db, actions.USER_DEACTIVATED)] == [other.id]


def test_signing_is_recorded(db: Session, settings: Settings, make: Factory) -> None:
    from test_privacy import signed_agreement

    agreement, firm_user, sme_user = signed_agreement(db, settings, make)
    recorded = [(e.actor_user_id, e.target_id) for e in _events(db, actions.AGREEMENT_SIGNED)]
    assert recorded == [(firm_user.id, agreement.id), (sme_user.id, agreement.id)]


@pytest.mark.parametrize("role", [Role.FIRM, Role.SME, Role.ORGANISER])
def test_only_admins_read_the_log(client: TestClient, make: Factory, role: Role) -> None:
    sizes = {Role.FIRM: EnterpriseSize.LARGE, Role.SME: EnterpriseSize.SMALL}
    user = make.user(role, make.enterprise(sizes[role]) if role in sizes else None)
    assert client.get("/api/v1/audit", headers=make.token_headers(user)).status_code == 403
    page_login(client, user.email)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_admins_filter_the_log_and_the_csv_download_is_recorded(
    client: TestClient, db: Session, make: Factory
) -> None:
    admin = make.user(Role.ADMIN)
    page_login(client, admin.email)
    api = client.get("/api/v1/audit", params={"action": actions.LOGIN_SUCCEEDED}).json()
    assert [(i["action"], i["actor_user_id"]) for i in api["items"]] == [
        (actions.LOGIN_SUCCEEDED, admin.id)
    ]
    page = client.get("/admin/audit", params={"action": actions.LOGIN_SUCCEEDED})
    assert page.status_code == 200
    assert page.text.count('data-action="login.succeeded"') == 1
    response = client.get("/admin/audit.csv", params={"actor": admin.id})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [row["action"] for row in rows] == [actions.LOGIN_SUCCEEDED]
    [exported] = _events(db, actions.AUDIT_EXPORTED)
    assert exported.actor_user_id == admin.id


def test_events_cannot_be_changed_or_deleted(db: Session) -> None:
    event = audit.record(db, None, actions.LOGIN_FAILED, ("email", "x@example.cn"))
    db.commit()
    event.action = actions.LOGIN_SUCCEEDED
    with pytest.raises(AppendOnlyError):
        db.commit()
    db.rollback()
    db.delete(event)
    with pytest.raises(AppendOnlyError):
        db.commit()
    db.rollback()
    assert [e.action for e in _events(db, actions.LOGIN_FAILED)] == [actions.LOGIN_FAILED]


def _aged(db: Session, days: int) -> int:
    event = audit.record(db, None, actions.LOGIN_FAILED, ("email", f"{days}@example.cn"))
    db.flush()
    event_id = event.id
    db.expunge(event)
    moved = update(AuditEvent).where(AuditEvent.id == event_id)
    db.execute(moved.values(at=utcnow() - dt.timedelta(days=days)))
    db.commit()
    return event_id


def test_purge_removes_only_events_older_than_the_retention(db: Session) -> None:
    old, recent = _aged(db, 1200), _aged(db, 1000)
    assert audit.purge(db, retention_days=0) == 0  # 0 keeps everything
    assert audit.purge(db, retention_days=1095) == 1
    assert [e.id for e in _events(db, actions.LOGIN_FAILED)] == [recent]
    assert old != recent
    [purged] = _events(db, actions.AUDIT_PURGED)
    assert purged.details["removed"] == 1


def test_purge_command_reads_the_retention_setting(settings: Settings, db: Session) -> None:
    _aged(db, 40)
    kept = _cli(settings, "audit", "purge", MATCHMAKER_AUDIT_RETENTION_DAYS="0")
    assert kept.exit_code == 0 and len(_events(db, actions.LOGIN_FAILED)) == 1
    result = _cli(settings, "audit", "purge", MATCHMAKER_AUDIT_RETENTION_DAYS="30")
    assert result.exit_code == 0, result.output
    assert "purged 1" in result.output
    assert _events(db, actions.LOGIN_FAILED) == []


def test_export_command_writes_every_event(settings: Settings, db: Session, tmp_path: Path) -> None:
    _aged(db, 3)
    target = tmp_path / "audit.csv"
    result = _cli(settings, "audit", "export", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [row["action"] for row in rows] == [actions.LOGIN_FAILED]
    assert len(_events(db, actions.AUDIT_EXPORTED)) == 1
