"""Agreements end to end through the pages: draft, edit, approve, sign, verify, certificate."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from conftest import PASSWORD, Factory, page_login
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matchmaker.agreements import origins, service
from matchmaker.agreements.models import Agreement, AgreementSignature, LedgerEntry
from matchmaker.agreements.providers import platform_provider
from matchmaker.agreements.schemas import AgreementInput
from matchmaker.agreements.verify import verify_agreement, verify_ledger
from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.events.models import Meeting
from matchmaker.fields import (
    AgreementStatus,
    AgreementType,
    EnterpriseSize,
    IntroductionOrigin,
    IntroductionStatus,
    MeetingStatus,
    Role,
    Side,
)
from matchmaker.introductions.models import Introduction
from matchmaker.notifications.models import Notification


@dataclass
class Pair:
    firm: Any
    sme: Any
    firm_user: Any
    sme_user: Any
    need: Any
    profile: Any
    intro: Introduction


@pytest.fixture
def pair(make: Factory, db: Session) -> Pair:
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路制造有限公司")
    sme = make.enterprise(name="上海翎澄检验检测科技有限公司")
    need = make.need(firm)
    profile = make.profile(sme)
    intro = Introduction(
        id=f"intro-{need.id}", need_id=need.id, profile_id=profile.id,
        origin=IntroductionOrigin.INVITATION, status=IntroductionStatus.ACCEPTED, message="欢迎",
    )  # fmt: skip
    db.add(intro)
    db.commit()
    return Pair(
        firm, sme, make.user(Role.FIRM, firm), make.user(Role.SME, sme), need, profile, intro
    )


TERMS = AgreementInput(
    subject="电子特气仓储配送服务",
    type=AgreementType.SERVICE,
    amount_wan=500,
    term="2027-01-01 至 2029-12-31",
    clauses=["乙方提供24小时应急响应", "气瓶全程追溯"],
)


def _draft(db: Session, pair: Pair) -> Agreement:
    origin = origins.from_introduction(db, actor=pair.sme_user, introduction_id=pair.intro.id)
    return service.draft(db, actor=pair.sme_user, origin=origin, data=TERMS)


def _approved(db: Session, pair: Pair) -> Agreement:
    agreement = _draft(db, pair)
    for user in (pair.firm_user, pair.sme_user):
        service.approve(db, actor=user, agreement_id=agreement.id, version=1)
    return agreement


def _signed(db: Session, settings: Settings, pair: Pair, bus: Any = None) -> Agreement:
    agreement = _approved(db, pair)
    for user in (pair.firm_user, pair.sme_user):
        service.sign(db, actor=user, agreement_id=agreement.id, password=PASSWORD,
                     provider=platform_provider(db, settings.secret), bus=bus)  # fmt: skip
    db.expire_all()
    return agreement


def _client(app: Any, user: Any) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, page_login(client, user.email)


# --- drafting ---------------------------------------------------------------------------------


def test_either_side_drafts_from_an_accepted_introduction(app: Any, pair: Pair) -> None:
    client, csrf = _client(app, pair.sme_user)
    listing = client.get("/agreements")
    assert f"/agreements/new?introduction={pair.intro.id}" in listing.text
    form = client.get(f"/agreements/new?introduction={pair.intro.id}")
    assert form.status_code == 200
    assert pair.need.title in form.text
    response = client.post(
        f"/agreements/new?introduction={pair.intro.id}",
        data={"csrf_token": csrf, "subject": "电子特气仓储配送服务", "type": "service",
              "amount_wan": "1,200.5", "term": "三年", "clauses": "条款一\n条款二"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    agreement_id = response.headers["location"].rsplit("/", 1)[-1]
    page = client.get(f"/agreements/{agreement_id}")
    assert page.status_code == 200
    assert "条款二" in page.text and pair.firm.name in page.text


def test_a_draft_with_errors_is_shown_again_and_nothing_saved(
    app: Any, db: Session, pair: Pair
) -> None:
    client, csrf = _client(app, pair.firm_user)
    response = client.post(
        f"/agreements/new?introduction={pair.intro.id}",
        data={"csrf_token": csrf, "subject": "", "type": "barter", "amount_wan": "lots"},
    )
    assert response.status_code == 422
    assert 'id="f-subject"' in response.text and 'aria-invalid="true"' in response.text
    assert db.scalar(select(func.count(Agreement.id))) == 0


def test_a_pending_introduction_cannot_start_an_agreement(
    app: Any, db: Session, pair: Pair
) -> None:
    pair.intro.status = IntroductionStatus.PENDING
    db.commit()
    client, _csrf = _client(app, pair.firm_user)
    assert client.get(f"/agreements/new?introduction={pair.intro.id}").status_code == 409


def test_a_draft_from_an_accepted_meeting_belongs_to_its_event(
    db: Session, make: Factory, pair: Pair
) -> None:
    event = make.event()
    meeting = Meeting(id="meet-1", event_id=event.id, need_id=pair.need.id,
                      profile_id=pair.profile.id, requested_by=Side.FIRM,
                      status=MeetingStatus.ACCEPTED)  # fmt: skip
    db.add(meeting)
    db.commit()
    origin = origins.from_meeting(db, actor=pair.firm_user, meeting_id=meeting.id)
    agreement = service.draft(db, actor=pair.firm_user, origin=origin, data=TERMS)
    assert (agreement.event_id, agreement.meeting_id) == (event.id, meeting.id)
    assert (agreement.firm_name, agreement.sme_name) == (pair.firm.name, pair.sme.name)


# --- editing, commenting, approving ---------------------------------------------------------


def test_an_edit_makes_a_new_version_and_voids_approvals(app: Any, db: Session, pair: Pair) -> None:
    agreement = _approved(db, pair)
    client, csrf = _client(app, pair.firm_user)
    response = client.post(
        f"/agreements/{agreement.id}/edit",
        data={"csrf_token": csrf, "version": "1", "subject": TERMS.subject, "type": "service",
              "amount_wan": "650", "term": "", "clauses": "条款一"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    db.expire_all()
    assert (agreement.version, agreement.status, agreement.amount_wan) == (
        2, AgreementStatus.DRAFT, 650.0,
    )  # fmt: skip
    assert service.details(db, agreement).approvals == []


def test_approving_a_version_that_has_changed_is_refused(app: Any, db: Session, pair: Pair) -> None:
    agreement = _draft(db, pair)
    service.edit(db, actor=pair.firm_user, agreement_id=agreement.id, data=TERMS, version=1)
    client, csrf = _client(app, pair.sme_user)
    response = client.post(f"/agreements/{agreement.id}/approve",
                           data={"csrf_token": csrf, "version": "1"})  # fmt: skip
    assert response.status_code == 200  # back on the agreement page, with the reason
    assert "协议在您打开后已被修改，请审阅新版本" in response.text
    assert service.details(db, agreement).approvals == []


def test_both_sides_approving_the_same_version_makes_it_ready(
    app: Any, db: Session, pair: Pair
) -> None:
    agreement = _draft(db, pair)
    for user in (pair.firm_user, pair.sme_user):
        client, csrf = _client(app, user)
        response = client.post(f"/agreements/{agreement.id}/approve",
                               data={"csrf_token": csrf, "version": "1"},
                               follow_redirects=False)  # fmt: skip
        assert response.status_code == 303
    db.expire_all()
    assert agreement.status is AgreementStatus.APPROVED


def test_comments_are_kept_with_their_version(app: Any, db: Session, pair: Pair) -> None:
    agreement = _draft(db, pair)
    client, csrf = _client(app, pair.firm_user)
    empty = client.post(f"/agreements/{agreement.id}/comments", data={"csrf_token": csrf})
    assert empty.status_code == 422
    client.post(f"/agreements/{agreement.id}/comments",
                data={"csrf_token": csrf, "body": "付款节点请再确认"})  # fmt: skip
    (note,) = service.details(db, agreement).comments
    assert (note.body, note.version, note.enterprise_id) == ("付款节点请再确认", 1, pair.firm.id)
    assert "付款节点请再确认" in client.get(f"/agreements/{agreement.id}").text


# --- signing ----------------------------------------------------------------------------------


def test_signing_needs_both_approvals(app: Any, db: Session, pair: Pair) -> None:
    agreement = _draft(db, pair)
    client, csrf = _client(app, pair.firm_user)
    client.post(f"/agreements/{agreement.id}/sign", data={"csrf_token": csrf, "password": PASSWORD})
    assert db.scalar(select(func.count(AgreementSignature.id))) == 0


def test_a_wrong_password_signs_nothing_and_says_why(app: Any, db: Session, pair: Pair) -> None:
    agreement = _approved(db, pair)
    client, csrf = _client(app, pair.firm_user)
    response = client.post(f"/agreements/{agreement.id}/sign",
                           data={"csrf_token": csrf, "password": "not-my-password-1"})  # fmt: skip
    assert response.status_code == 422
    assert "密码不正确" in response.text
    assert db.scalar(select(func.count(AgreementSignature.id))) == 0
    assert db.scalar(select(func.count(LedgerEntry.seq))) == 0
    assert db.scalar(select(func.count()).select_from(text("enterprise_keys"))) == 0


def test_both_signatures_sign_the_agreement_and_fill_the_ledger(
    app: Any, db: Session, pair: Pair
) -> None:
    agreement = _approved(db, pair)
    for user in (pair.firm_user, pair.sme_user):
        client, csrf = _client(app, user)
        response = client.post(f"/agreements/{agreement.id}/sign",
                               data={"csrf_token": csrf, "password": PASSWORD},
                               follow_redirects=False)  # fmt: skip
        assert response.status_code == 303, response.text
    db.expire_all()
    assert agreement.status is AgreementStatus.SIGNED
    signatures = service.details(db, agreement).signatures
    assert {s.enterprise_id for s in signatures} == {pair.firm.id, pair.sme.id}
    assert {s.digest for s in signatures} == {agreement.digest}
    kinds = [e.kind for e in db.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
    assert kinds == ["signature", "signature", "signed"]
    assert verify_agreement(db, agreement).problems == []
    assert verify_ledger(db).problems == []


def test_signed_pairs_feed_the_ranker_labels(db: Session, settings: Settings, pair: Pair) -> None:
    _approved(db, pair)
    assert service.signed_pairs(db) == []
    _signed(db, settings, pair)
    assert service.signed_pairs(db) == [(pair.need.id, pair.profile.id)]


def test_a_side_signs_only_once(db: Session, settings: Settings, pair: Pair) -> None:
    agreement = _approved(db, pair)
    provider = platform_provider(db, settings.secret)
    service.sign(db, actor=pair.firm_user, agreement_id=agreement.id, password=PASSWORD,
                 provider=provider)  # fmt: skip
    with pytest.raises(service.Conflict):
        service.sign(db, actor=pair.firm_user, agreement_id=agreement.id, password=PASSWORD,
                     provider=provider)  # fmt: skip


# --- permissions and CSRF --------------------------------------------------------------------


def test_outsiders_do_not_see_an_agreement(
    app: Any, make: Factory, db: Session, pair: Pair
) -> None:
    agreement = _draft(db, pair)
    outsider = make.user(Role.SME, make.enterprise())
    client, csrf = _client(app, outsider)
    assert client.get(f"/agreements/{agreement.id}").status_code == 404
    response = client.post(f"/agreements/{agreement.id}/approve",
                           data={"csrf_token": csrf, "version": "1"})  # fmt: skip
    assert response.status_code == 404
    assert agreement.id not in client.get("/agreements").text


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_organisers_and_admins_read_but_do_not_act(
    app: Any, make: Factory, db: Session, pair: Pair, role: Role
) -> None:
    agreement = _draft(db, pair)
    client, csrf = _client(app, make.user(role))
    page = client.get(f"/agreements/{agreement.id}")
    assert page.status_code == 200
    assert f"/agreements/{agreement.id}/approve" not in page.text
    assert agreement.id in client.get("/agreements").text
    for action, data in (("approve", {"version": "1"}), ("comments", {"body": "好"}),
                         ("sign", {"password": PASSWORD})):  # fmt: skip
        response = client.post(f"/agreements/{agreement.id}/{action}",
                               data={"csrf_token": csrf, **data})  # fmt: skip
        assert response.status_code == 403, action
    assert service.details(db, agreement).approvals == []


@pytest.mark.parametrize("action", ["approve", "sign", "comments", "edit"])
def test_forms_without_the_csrf_token_are_refused(
    app: Any, db: Session, pair: Pair, action: str
) -> None:
    agreement = _approved(db, pair)
    client, _csrf = _client(app, pair.firm_user)
    data = {"version": "1", "password": PASSWORD, "body": "x", "subject": "x", "type": "supply"}
    response = client.post(f"/agreements/{agreement.id}/{action}", data=data)
    assert response.status_code == 403
    assert db.scalar(select(func.count(AgreementSignature.id))) == 0


# --- verification, tampering, certificate ----------------------------------------------------


def _run_verify(settings: Settings, *args: str) -> Any:
    env = {
        "MATCHMAKER_DATA_DIR": str(settings.data_dir),
        "MATCHMAKER_DATABASE_URL": settings.db_url,
    }
    return CliRunner().invoke(cli_app, ["verify", *args], env=env)


def test_verify_passes_an_untouched_agreement(db: Session, settings: Settings, pair: Pair) -> None:
    agreement = _signed(db, settings, pair)
    result = _run_verify(settings, agreement.code.lower().replace("-", ""), "--ledger")
    assert result.exit_code == 0, result.output
    assert f"OK: agreement {agreement.code}" in result.output
    assert "OK: signing ledger" in result.output


def test_an_edited_agreement_field_is_caught_by_name(
    db: Session, settings: Settings, pair: Pair
) -> None:
    agreement = _signed(db, settings, pair)
    db.execute(text("UPDATE agreements SET amount_wan = 5000 WHERE id = :id"), {"id": agreement.id})
    db.commit()
    db.expire_all()
    problems = verify_agreement(db, agreement).problems
    assert [(p.where, p.field) for p in problems] == [(f"agreement {agreement.code}", "amount_wan")]
    assert problems[0].message == "is 5000.0 but 500.0 was signed (ledger entry #1)"
    result = _run_verify(settings, agreement.code)
    assert result.exit_code == 1
    assert (
        f"agreement {agreement.code}: amount_wan: is 5000.0 but 500.0 was signed" in result.output
    )


def test_an_edited_signature_time_is_caught(db: Session, settings: Settings, pair: Pair) -> None:
    agreement = _signed(db, settings, pair)
    db.execute(
        text("UPDATE agreement_signatures SET signed_at = '2020-01-01 00:00:00.000000' "
             "WHERE enterprise_id = :e"), {"e": pair.firm.id},
    )  # fmt: skip
    db.commit()
    db.expire_all()
    problems = verify_agreement(db, agreement).problems
    where = f"signature of {pair.firm.id} on {agreement.code}"
    assert [(p.where, p.field) for p in problems] == [(where, "signature"), (where, "signed_at")]


def test_an_edited_ledger_entry_is_caught_by_number(
    db: Session, settings: Settings, pair: Pair
) -> None:
    agreement = _signed(db, settings, pair)
    db.execute(
        text("UPDATE agreement_ledger SET payload = replace(payload, :old, :new) WHERE seq = 2"),
        {"old": '"amount_wan":500.0', "new": '"amount_wan":50.0'},
    )
    db.commit()
    result = _run_verify(settings, "--ledger")
    assert result.exit_code == 1
    assert "ledger entry #2: payload: changed after it was recorded" in result.output
    problems = verify_agreement(db, agreement).problems
    assert ("ledger entry #2", "payload") in [(p.where, p.field) for p in problems]


def test_verify_with_no_arguments_checks_everything(
    db: Session, settings: Settings, pair: Pair
) -> None:
    agreement = _signed(db, settings, pair)
    db.execute(text("UPDATE agreements SET firm_name = '别的公司' WHERE id = :id"),
               {"id": agreement.id})  # fmt: skip
    db.commit()
    result = _run_verify(settings)
    assert result.exit_code == 1
    assert f"TAMPERED: agreement {agreement.code}" in result.output
    assert "firm_name: is '别的公司'" in result.output
    assert "OK: signing ledger" in result.output


def test_the_public_page_verifies_without_login(
    client: TestClient, db: Session, settings: Settings, pair: Pair
) -> None:
    agreement = _signed(db, settings, pair)
    page = client.get(f"/verify/{agreement.code}")
    assert page.status_code == 200
    assert pair.firm.name in page.text and pair.sme.name in page.text
    assert agreement.digest is not None and agreement.digest in page.text
    assert "verdict--ok" in page.text
    db.execute(text("UPDATE agreements SET subject = '改过的标的' WHERE id = :id"),
               {"id": agreement.id})  # fmt: skip
    db.commit()
    tampered = client.get(f"/verify/{agreement.code.lower()}")
    assert "verdict--bad" in tampered.text and "subject" in tampered.text


def test_drafts_have_no_public_page(client: TestClient, db: Session, pair: Pair) -> None:
    agreement = _approved(db, pair)
    assert client.get(f"/verify/{agreement.code}").status_code == 404
    assert client.get("/verify?code=k7qm 3xpa", follow_redirects=False).headers["location"] == (
        "/verify/K7QM-3XPA"
    )


def test_the_certificate_shows_code_and_parties(
    app: Any, db: Session, settings: Settings, pair: Pair, tmp_path: Any
) -> None:
    agreement = _approved(db, pair)
    client, _csrf = _client(app, pair.sme_user)
    assert client.get(f"/agreements/{agreement.id}/certificate.pdf").status_code == 409
    _signed_after_approval(db, settings, pair, agreement)
    response = client.get(f"/agreements/{agreement.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get("MATCHMAKER_REQUIRE_SERVICES") == "1":
            pytest.fail("pdftotext is required: apt-get install poppler-utils")
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.content)
    shown = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    assert agreement.code in shown
    assert pair.firm.name in shown and pair.sme.name in shown
    assert f"{settings.public_url}/verify/{agreement.code}" in shown


def _signed_after_approval(
    db: Session, settings: Settings, pair: Pair, agreement: Agreement
) -> None:
    for user in (pair.firm_user, pair.sme_user):
        service.sign(db, actor=user, agreement_id=agreement.id, password=PASSWORD,
                     provider=platform_provider(db, settings.secret))  # fmt: skip


# --- the signing wall -------------------------------------------------------------------------


def test_the_wall_is_for_organisers(app: Any, make: Factory, pair: Pair) -> None:
    client, _csrf = _client(app, pair.firm_user)
    assert client.get("/wall").status_code == 403
    organiser, _csrf = _client(app, make.user(Role.ORGANISER))
    page = organiser.get("/wall")
    assert page.status_code == 200
    assert 'data-stream="/wall/stream?after=0"' in page.text


def test_an_event_wall_is_for_that_events_organiser(
    app: Any, make: Factory, db: Session, settings: Settings, pair: Pair
) -> None:
    organiser = make.user(Role.ORGANISER)
    event = make.event(organiser)
    make.event_need(event, pair.need)
    make.event_sme(event, pair.profile)
    agreement = _signed(db, settings, pair)  # drafted from an introduction within the event
    assert agreement.event_id == event.id
    client, _csrf = _client(app, organiser)
    page = client.get(f"/events/{event.id}/wall")
    assert page.status_code == 200
    assert f'data-stream="/events/{event.id}/wall/stream?after=3"' in page.text
    assert f'data-code="{agreement.code}"' in page.text and "500 万元" in page.text
    other, _csrf = _client(app, make.user(Role.ORGANISER))
    assert other.get(f"/events/{event.id}/wall").status_code == 403
    assert client.get("/events/no-such-event/wall").status_code == 404


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live(app: Any) -> Iterator[str]:
    """The test's app served by uvicorn on a free port: SSE needs a real streaming server."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_signing_reaches_the_wall_stream_within_a_second(
    app: Any, live: str, make: Factory, db: Session, settings: Settings, pair: Pair
) -> None:
    headers = make.token_headers(make.user(Role.ORGANISER))
    agreement = _approved(db, pair)
    provider = platform_provider(db, settings.secret)
    service.sign(db, actor=pair.firm_user, agreement_id=agreement.id, password=PASSWORD,
                 provider=provider, bus=app.state.bus)  # fmt: skip
    with (
        httpx.Client(base_url=live, headers=headers, timeout=5) as http,
        http.stream("GET", "/wall/stream") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines) == "retry: 3000"  # subscribed: from here on nothing is missed
        signed_at = time.monotonic()
        service.sign(db, actor=pair.sme_user, agreement_id=agreement.id, password=PASSWORD,
                     provider=provider, bus=app.state.bus)  # fmt: skip
        event = _next_event(lines)
        arrived = time.monotonic() - signed_at
    assert (event["event"], event["id"]) == ("signing", "3")
    data = json.loads(event["data"])
    assert (data["code"], data["firm"], data["sme"]) == (agreement.code, pair.firm.name,
                                                        pair.sme.name)  # fmt: skip
    assert data["amount"] == "500 万元" and data["count"] == 1 and data["total"] == "500 万元"
    assert data["entry"].startswith("#3 ")
    assert arrived < 1.0


def test_a_reconnecting_wall_gets_the_signings_it_missed(
    live: str, make: Factory, db: Session, settings: Settings, pair: Pair
) -> None:
    headers = make.token_headers(make.user(Role.ORGANISER))
    agreement = _signed(db, settings, pair)  # while no wall was listening
    with httpx.Client(base_url=live, headers=headers, timeout=5) as http:
        with http.stream("GET", "/wall/stream?after=0") as stream:
            event = _next_event(stream.iter_lines())
        assert json.loads(event["data"])["code"] == agreement.code
        seen = {**headers, "Last-Event-ID": event["id"]}
        with http.stream("GET", "/wall/stream?after=0", headers=seen) as stream:
            lines = stream.iter_lines()
            assert [next(lines), next(lines), next(lines)] == ["retry: 3000", ": connected", ""]
            assert stream.num_bytes_downloaded == len("retry: 3000\n: connected\n\n")


def _next_event(lines: Iterator[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if "data" in fields:
                return fields
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    raise AssertionError("the stream ended without an event")


def test_each_step_notifies_the_other_side(db: Session, settings: Settings, pair: Pair) -> None:
    _signed(db, settings, pair)
    seen = db.execute(select(Notification.user_id, Notification.kind).order_by(Notification.id))
    assert list(seen) == [
        (pair.firm_user.id, "agreement_drafted"),  # the SME drafted
        (pair.sme_user.id, "agreement_approved"),  # the firm approved first
        (pair.firm_user.id, "agreement_approved"),
        (pair.sme_user.id, "agreement_signed"),
        (pair.firm_user.id, "agreement_signed"),
    ]


def test_password_guessing_on_the_sign_form_is_limited(
    app: Any, db: Session, pair: Pair, settings: Settings
) -> None:
    agreement = _approved(db, pair)
    client, csrf = _client(app, pair.firm_user)  # the login itself counted once
    url, wrong = f"/agreements/{agreement.id}/sign", {"csrf_token": csrf, "password": "guess-1"}
    statuses = [client.post(url, data=wrong).status_code for _ in range(settings.login_limit)]
    assert statuses[: settings.login_limit - 1] == [422] * (settings.login_limit - 1)
    assert statuses[-1] == 429
    assert db.scalar(select(func.count(AgreementSignature.id))) == 0
