"""Users see, download and delete their personal information; deletion keeps contracts."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD, Factory, page_login
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matchmaker.accounts.models import User
from matchmaker.agreements import origins
from matchmaker.agreements import service as agreements
from matchmaker.agreements.models import Agreement, AgreementComment, AgreementSignature
from matchmaker.agreements.providers import platform_provider
from matchmaker.agreements.schemas import AgreementInput
from matchmaker.agreements.verify import verify_agreement, verify_ledger
from matchmaker.audit import actions
from matchmaker.audit.models import AuditEvent
from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.fields import (
    AgreementType,
    EnterpriseSize,
    IntroductionOrigin,
    IntroductionStatus,
    Role,
)
from matchmaker.introductions.models import Introduction
from matchmaker.notifications.models import Notification
from matchmaker.privacy import service as privacy

TERMS = AgreementInput(
    subject="电子特气仓储配送服务", type=AgreementType.SERVICE, amount_wan=500,
    term="2027-01-01 至 2029-12-31", clauses=["乙方提供24小时应急响应"],
)  # fmt: skip


def signed_agreement(
    db: Session, settings: Settings, make: Factory
) -> tuple[Agreement, User, User]:
    """An agreement both sides signed (firm first), with one comment by the SME signer."""
    firm, sme = make.enterprise(EnterpriseSize.LARGE), make.enterprise()
    need, profile = make.need(firm), make.profile(sme)
    intro = Introduction(
        id=f"intro-{need.id}", need_id=need.id, profile_id=profile.id,
        origin=IntroductionOrigin.INVITATION, status=IntroductionStatus.ACCEPTED, message="欢迎",
    )  # fmt: skip
    db.add(intro)
    db.commit()
    firm_user, sme_user = make.user(Role.FIRM, firm), make.user(Role.SME, sme)
    origin = origins.from_introduction(db, actor=sme_user, introduction_id=intro.id)
    agreement = agreements.draft(db, actor=sme_user, origin=origin, data=TERMS)
    agreements.comment(db, actor=sme_user, agreement_id=agreement.id, body="请确认条款")
    for user in (firm_user, sme_user):
        agreements.approve(db, actor=user, agreement_id=agreement.id, version=1)
    for user in (firm_user, sme_user):
        agreements.sign(db, actor=user, agreement_id=agreement.id, password=PASSWORD,
                        provider=platform_provider(db, settings.secret))  # fmt: skip
    db.expire_all()
    return agreement, firm_user, sme_user


def _form(client: TestClient, csrf: str, **values: str) -> Any:
    data = {"csrf_token": csrf, "password": PASSWORD, "confirm": "yes", **values}
    return client.post("/me/data/delete", data=data, follow_redirects=False)


def test_the_data_page_and_download_show_everything_held(
    client: TestClient, db: Session, make: Factory
) -> None:
    enterprise = make.enterprise()
    user = make.user(Role.SME, enterprise, display_name="王小明")
    make.token_headers(user)
    db.add(Notification(user_id=user.id, kind="account_confirmed", link="/dashboard"))
    db.commit()
    page_login(client, user.email)
    page = client.get("/me/data")
    assert page.status_code == 200
    assert "王小明" in page.text and user.email in page.text and enterprise.name in page.text
    data = client.get("/me/data.json").json()
    assert set(data) >= {
        "user", "enterprise", "login_sessions", "api_tokens", "notifications",
        "introductions_made", "introductions_received", "agreements_signed", "audit_events",
    }  # fmt: skip
    assert data["user"]["email"] == user.email
    assert [t["name"] for t in data["api_tokens"]] == ["test"]
    assert "token_hash" not in data["api_tokens"][0]
    assert len(data["login_sessions"]) == 1
    assert [n["kind"] for n in data["notifications"]] == ["account_confirmed"]
    assert actions.LOGIN_SUCCEEDED in [e["action"] for e in data["audit_events"]]
    assert client.get("/api/v1/me/data").json()["user"]["id"] == user.id


def test_deletion_pseudonymises_and_ends_every_login(
    client: TestClient, db: Session, make: Factory
) -> None:
    enterprise = make.enterprise()
    user = make.user(Role.SME, enterprise, display_name="王小明", organisation="某协会")
    token = make.token_headers(user)
    need = make.need(make.enterprise(EnterpriseSize.LARGE))
    csrf = page_login(client, user.email)
    response = _form(client, csrf)
    assert response.status_code == 303
    db.expire_all()
    erased = db.get(User, user.id)
    assert erased is not None
    short = privacy.short_hash(user.id)
    assert erased.display_name == f"已注销用户 {short}"
    assert erased.email.endswith("@erased.invalid") and user.id not in erased.email
    assert (erased.organisation, erased.enterprise_id, erased.is_active) == (None, None, False)
    assert privacy.live_logins(db, user.id) == (0, 0)
    assert client.get("/me/data", follow_redirects=False).status_code == 303  # logged out
    assert client.get("/api/v1/me", headers=token).status_code == 401
    again = {"email": user.email, "password": PASSWORD}
    assert TestClient(client.app).post("/api/v1/auth/login", json=again).status_code == 401
    assert db.get(type(need), need.id) is not None  # enterprise records stay
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == actions.ACCOUNT_ERASED))
    assert event.target_id == user.id


@pytest.mark.parametrize(
    ("values", "status"),
    [({"password": "not-my-password"}, 422), ({"confirm": ""}, 422)],
)
def test_deletion_is_refused_without_password_or_confirmation(
    client: TestClient, db: Session, make: Factory, values: dict[str, str], status: int
) -> None:
    user = make.user(Role.ORGANISER, display_name="李雷")
    csrf = page_login(client, user.email)
    assert _form(client, csrf, **values).status_code == status
    db.expire_all()
    assert (db.get(User, user.id).display_name, db.get(User, user.id).is_active) == ("李雷", True)  # type: ignore[union-attr]


def test_deletion_without_csrf_is_refused(client: TestClient, db: Session, make: Factory) -> None:
    user = make.user(Role.ORGANISER, display_name="李雷")
    page_login(client, user.email)
    data = {"password": PASSWORD, "confirm": "yes"}
    assert client.post("/me/data/delete", data=data).status_code == 403
    response = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert response.status_code == 403  # cookie login without the X-CSRF-Token header
    db.expire_all()
    assert db.get(User, user.id).is_active  # type: ignore[union-attr]


def test_the_api_deletes_the_account_with_the_password(
    client: TestClient, db: Session, make: Factory
) -> None:
    user = make.user(Role.ORGANISER, display_name="韩梅梅")
    headers = make.token_headers(user)
    wrong = client.request("DELETE", "/api/v1/me", json={"password": "nope"}, headers=headers)
    assert wrong.status_code == 422
    response = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert response.status_code == 204
    db.expire_all()
    assert db.get(User, user.id).display_name.startswith("已注销用户 ")  # type: ignore[union-attr]
    assert client.get("/api/v1/me/data", headers=headers).status_code == 401


def test_the_last_admin_cannot_delete_their_account(
    client: TestClient, db: Session, make: Factory
) -> None:
    admin = make.user(Role.ADMIN)
    headers = make.token_headers(admin)
    body = {"password": PASSWORD}
    response = client.request("DELETE", "/api/v1/me", json=body, headers=headers)
    assert response.status_code == 409
    assert "last administrator" in response.json()["detail"]
    make.user(Role.ADMIN)
    assert client.request("DELETE", "/api/v1/me", json=body, headers=headers).status_code == 204


def test_signed_agreements_stay_verifiable_after_the_signer_is_deleted(
    db: Session, settings: Settings, make: Factory
) -> None:
    agreement, _firm_user, sme_user = signed_agreement(db, settings, make)
    signature = db.scalar(
        select(AgreementSignature).where(AgreementSignature.signer_id == sme_user.id)
    )
    assert signature is not None
    signed_name = signature.signer_name
    privacy.erase(db, user=db.get(User, sme_user.id), password=PASSWORD)  # type: ignore[arg-type]
    db.expire_all()
    assert verify_agreement(db, db.get(Agreement, agreement.id)).ok  # type: ignore[arg-type]
    assert verify_ledger(db).ok
    kept = db.scalar(select(AgreementSignature).where(AgreementSignature.id == signature.id))
    assert kept is not None and kept.signer_name == signed_name  # the contract keeps the name
    comment = db.scalar(select(AgreementComment).where(AgreementComment.user_id == sme_user.id))
    assert comment is not None and comment.author_name.startswith("已注销用户 ")
    env = {
        "MATCHMAKER_DATA_DIR": str(settings.data_dir),
        "MATCHMAKER_DATABASE_URL": settings.db_url,
    }
    result = CliRunner().invoke(cli_app, ["verify", agreement.code, "--ledger"], env=env)
    assert result.exit_code == 0, result.output
