"""Events: creation, invitations (by id, by matching, from a list), answers, applications."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import page_login
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select

from matchmaker.events import agenda
from matchmaker.events.models import Event, EventNeed, EventSME, Meeting
from matchmaker.fields import (
    EnterpriseSize,
    EventStatus,
    MeetingStatus,
    Participation,
    Role,
    Side,
)
from matchmaker.notifications.models import Notification

FORM = {
    "title": "2027 临港集成电路产业链对接会",
    "description": "晶圆制造与材料、设备企业的一对一洽谈",
    "chains": ["ic"],
    "starts_at": "2027-03-18T09:30",
    "venue": "临港科技城会议中心",
    "slot_minutes": "20",
    "slots": "6",
    "tables": "8",
    "shortlist_size": "4",
    "sme_capacity": "3",
}


@pytest.fixture
def organiser(make: Any) -> Any:
    return make.user(Role.ORGANISER)


@pytest.fixture
def scene(make: Any, organiser: Any) -> dict[str, Any]:
    firm = make.enterprise(EnterpriseSize.LARGE)
    need = make.need(firm, title="12英寸晶圆厂电子特气本地化供应")
    gas = make.enterprise()
    profile = make.profile(gas, title="高纯电子特气NF3/WF6供应", summary="电子特气提纯、充装与配送")
    return {
        "event": make.event(organiser),
        "firm_user": make.user(Role.FIRM, firm),
        "need": need,
        "profile": profile,
        "sme_user": make.user(Role.SME, gas),
    }


def test_organiser_creates_an_event_in_shanghai_time(
    client: TestClient, organiser: Any, db: Any
) -> None:
    csrf = page_login(client, organiser.email)
    response = client.post("/events/new", data={**FORM, "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    event = db.get(Event, response.headers["location"].removeprefix("/events/"))
    assert event.status is EventStatus.DRAFT and event.chains == ["ic"]
    assert event.starts_at.isoformat() == "2027-03-18T01:30:00+00:00"
    page = client.get(f"/events/{event.id}").text
    assert "2027 临港集成电路产业链对接会" in page and "会议第 6 轮" in page


def test_bad_event_form_shows_errors_and_saves_nothing(
    client: TestClient, organiser: Any, db: Any
) -> None:
    csrf = page_login(client, organiser.email)
    bad = {**FORM, "title": "", "tables": "0", "chains": ["no-such-chain"], "csrf_token": csrf}
    response = client.post("/events/new", data=bad)
    assert response.status_code == 422
    for field in ("title", "tables"):
        assert f'id="f-{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.scalar(select(Event.id)) is None


@pytest.mark.parametrize("role", [Role.FIRM, Role.SME])
def test_members_cannot_create_events(client: TestClient, make: Any, role: Role) -> None:
    enterprise = make.enterprise(
        EnterpriseSize.LARGE if role is Role.FIRM else EnterpriseSize.SMALL
    )
    csrf = page_login(client, make.user(role, enterprise).email)
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data={**FORM, "csrf_token": csrf}).status_code == 403


def test_invite_by_id_is_all_or_nothing(
    client: TestClient, organiser: Any, scene: dict[str, Any], db: Any
) -> None:
    event = scene["event"]
    csrf = page_login(client, organiser.email)
    data = {"csrf_token": csrf, "need_ids": f"{scene['need'].id} no-such-need", "profile_ids": ""}
    page = client.post(f"/events/{event.id}/invite", data=data)
    assert "no-such-need" in page.text
    assert db.scalar(select(EventNeed.need_id)) is None
    data = {"csrf_token": csrf, "need_ids": scene["need"].id, "profile_ids": scene["profile"].id}
    client.post(f"/events/{event.id}/invite", data=data)
    assert db.get(EventNeed, (event.id, scene["need"].id)).status is Participation.INVITED
    sme = db.get(EventSME, (event.id, scene["profile"].enterprise_id))
    assert (sme.status, sme.profile_id) == (Participation.INVITED, scene["profile"].id)
    kinds = db.scalars(select(Notification.kind)).all()
    assert sorted(kinds) == ["event_invitation", "event_invitation"]


def test_invited_participants_answer(
    app: Any, organiser: Any, scene: dict[str, Any], make: Any, db: Any
) -> None:
    event = scene["event"]
    make.event_need(event, scene["need"], Participation.INVITED)
    make.event_sme(event, scene["profile"], Participation.INVITED)
    with TestClient(app) as firm, TestClient(app) as sme:
        csrf = page_login(firm, scene["firm_user"].email)
        data = {"csrf_token": csrf, "need_id": scene["need"].id, "answer": "accept"}
        firm.post(f"/events/{event.id}/respond", data=data)
        csrf = page_login(sme, scene["sme_user"].email)
        sme.post(f"/events/{event.id}/respond", data={"csrf_token": csrf, "answer": "decline"})
        again = sme.post(
            f"/events/{event.id}/respond", data={"csrf_token": csrf, "answer": "accept"}
        )
        assert "already declined" in again.text
    db.expire_all()
    assert db.get(EventNeed, (event.id, scene["need"].id)).status is Participation.ACCEPTED
    enterprise = scene["profile"].enterprise_id
    assert db.get(EventSME, (event.id, enterprise)).status is Participation.DECLINED


def test_sme_applies_and_the_organiser_approves_within_capacity(
    app: Any, organiser: Any, scene: dict[str, Any], make: Any, db: Any
) -> None:
    event = scene["event"]
    event.capacity = 1
    db.commit()
    other = make.profile(make.enterprise(), title="晶圆清洗设备")
    make.event_sme(event, other, Participation.ACCEPTED)
    with TestClient(app) as sme, TestClient(app) as org:
        csrf = page_login(sme, scene["sme_user"].email)
        form = {"csrf_token": csrf, "profile_id": scene["profile"].id, "message": "希望参会"}
        sme.post(f"/events/{event.id}/apply", data=form)
        enterprise = scene["profile"].enterprise_id
        assert db.get(EventSME, (event.id, enterprise)).status is Participation.APPLIED
        csrf = page_login(org, organiser.email)
        url = f"/events/{event.id}/applications/{enterprise}"
        full = org.post(url, data={"csrf_token": csrf, "answer": "approve"})
        assert "the event is full" in full.text
        org.post(url, data={"csrf_token": csrf, "answer": "reject"})
    db.expire_all()
    assert db.get(EventSME, (event.id, enterprise)).status is Participation.REJECTED


def test_invite_by_matching_finds_fitting_smes_only(
    client: TestClient, organiser: Any, scene: dict[str, Any], make: Any, db: Any
) -> None:
    event = scene["event"]
    make.event_need(event, scene["need"], Participation.ACCEPTED)
    make.profile(make.enterprise(), title="针织面料定制", summary="时尚针织面料研发与生产")
    csrf = page_login(client, organiser.email)
    client.post(f"/events/{event.id}/invite/matching", data={"csrf_token": csrf, "min_score": "1"})
    invited = db.scalars(select(EventSME.profile_id).where(EventSME.event_id == event.id)).all()
    assert scene["profile"].id in invited


def _xlsx(rows: list[tuple[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["type", "id"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_invite_from_a_list_names_the_bad_row_and_saves_nothing(
    client: TestClient, organiser: Any, scene: dict[str, Any], db: Any
) -> None:
    event = scene["event"]
    csrf = page_login(client, organiser.email)
    bad = _xlsx([("need", scene["need"].id), ("partner", "x")])
    files = {"file": ("名单.xlsx", bad, "application/octet-stream")}
    page = client.post(f"/events/{event.id}/invite/file", data={"csrf_token": csrf}, files=files)
    assert "row 3.type" in page.text
    assert db.scalar(select(EventNeed.need_id)) is None
    good = f"type,id\nneed,{scene['need'].id}\nprofile,{scene['profile'].id}\n".encode()
    files = {"file": ("list.csv", good, "text/csv")}
    client.post(f"/events/{event.id}/invite/file", data={"csrf_token": csrf}, files=files)
    assert db.get(EventNeed, (event.id, scene["need"].id)) is not None


def test_draft_events_are_hidden_from_participants(
    client: TestClient, organiser: Any, scene: dict[str, Any], make: Any
) -> None:
    draft = make.event(organiser, status=EventStatus.DRAFT)
    page_login(client, scene["sme_user"].email)
    assert client.get(f"/events/{draft.id}").status_code == 404
    assert client.get(f"/events/{scene['event'].id}").status_code == 200
    assert client.get(f"/events/{scene['event'].id}/participants").status_code == 403


def test_firm_unavailable_rounds_are_kept_out_of_the_schedule(
    client: TestClient, organiser: Any, scene: dict[str, Any], make: Any, db: Any
) -> None:
    event = scene["event"]
    make.event_need(event, scene["need"])
    make.event_sme(event, scene["profile"])
    csrf = page_login(client, scene["firm_user"].email)
    data = {"csrf_token": csrf, "need_id": scene["need"].id, "slot": ["0", "1", "99"]}
    client.post(f"/events/{event.id}/unavailable", data=data)
    db.expire_all()
    assert db.get(EventNeed, (event.id, scene["need"].id)).unavailable == [0, 1]
    db.add(Meeting(id="m1", event_id=event.id, need_id=scene["need"].id,
                   profile_id=scene["profile"].id, requested_by=Side.FIRM,
                   status=MeetingStatus.ACCEPTED))  # fmt: skip
    db.commit()
    agenda.schedule(db, actor=organiser, event_id=event.id)
    db.expire_all()
    assert db.get(Meeting, "m1").slot == 2
