"""Meetings at an event: requests, proposals, the schedule, agendas (page, ICS, PDF), outcomes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import icalendar
import pytest
from conftest import Factory, page_login
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matchmaker.accounts.models import User
from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Conflict, Forbidden, InvalidState, NotFound
from matchmaker.events import agenda, meetings, outcomes
from matchmaker.events.models import Event, Meeting, ShortlistEntry
from matchmaker.fields import EnterpriseSize, MeetingOutcome, MeetingStatus, Role, Side
from matchmaker.needs.models import Need
from matchmaker.notifications.models import Notification
from matchmaker.profiles.models import CapabilityProfile

PAST = dt.datetime(2026, 3, 18, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai, already over


@dataclass
class World:
    event: Event
    organiser: User
    firm: Enterprise
    need: Need
    firm_user: User
    sme: Enterprise
    profile: CapabilityProfile
    sme_user: User
    other_sme: Enterprise
    other_profile: CapabilityProfile
    other_user: User


@pytest.fixture
def world(make: Factory) -> World:
    organiser = make.user(Role.ORGANISER)
    event = make.event(organiser)
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海华虹示范集团")
    need = make.need(firm, title="电子特气本地化")
    sme = make.enterprise(name="上海临芯气体科技有限公司")
    profile = make.profile(sme, title="高纯NF3供应")
    other_sme = make.enterprise()
    other_profile = make.profile(other_sme)
    make.event_need(event, need)
    make.event_sme(event, profile)
    make.event_sme(event, other_profile)
    return World(
        event, organiser, firm, need, make.user(Role.FIRM, firm),
        sme, profile, make.user(Role.SME, sme),
        other_sme, other_profile, make.user(Role.SME, other_sme),
    )  # fmt: skip


def request(db: Session, w: World, actor: User | None = None, **values: Any) -> Meeting:
    fields = {"need_id": w.need.id, "profile_id": w.profile.id, **values}
    return meetings.request(db, actor=actor or w.firm_user, event_id=w.event.id, **fields)


def agreed(db: Session, w: World, profile: CapabilityProfile | None = None) -> Meeting:
    chosen = profile or w.profile
    meeting = request(db, w, profile_id=chosen.id)
    responder = w.sme_user if chosen.id == w.profile.id else w.other_user
    return meetings.accept(db, actor=responder, meeting_id=meeting.id)


def inbox(db: Session, user: User) -> list[str]:
    return list(db.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


# Requests and answers
def test_firm_request_accepted_by_the_sme_shares_contacts(db: Session, world: World) -> None:
    meeting = request(db, world, message="想聊聊NF3")
    assert (meeting.status, meeting.requested_by) == (MeetingStatus.REQUESTED, Side.FIRM)
    assert inbox(db, world.sme_user) == ["meeting_requested"]
    meetings.accept(db, actor=world.sme_user, meeting_id=meeting.id)
    assert meeting.status is MeetingStatus.ACCEPTED
    assert inbox(db, world.firm_user) == ["meeting_accepted"]
    view = agenda.agenda(db, actor=world.firm_user, event_id=world.event.id)
    assert [e.contact is not None for e in view.entries] == [True]


def test_sme_may_request_and_a_mutual_request_accepts(db: Session, world: World) -> None:
    meeting = request(db, world, actor=world.sme_user)
    assert meeting.requested_by is Side.SME
    again = request(db, world, actor=world.firm_user)
    assert (again.id, again.status) == (meeting.id, MeetingStatus.ACCEPTED)


@pytest.mark.parametrize("who", ["organiser", "other_user", "outsider_firm"])
def test_only_the_two_sides_may_request(db: Session, make: Factory, world: World, who: str) -> None:
    outsider = make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE))
    actor = {"organiser": world.organiser, "other_user": world.other_user}.get(who, outsider)
    with pytest.raises(Forbidden):
        request(db, world, actor=actor)


def test_needs_and_smes_must_take_part(db: Session, make: Factory, world: World) -> None:
    stray = make.need(world.firm)
    with pytest.raises(InvalidState):
        request(db, world, need_id=stray.id)
    with pytest.raises(InvalidState):
        request(db, world, profile_id=make.profile(world.sme).id)


def test_only_the_asked_side_answers_and_strangers_see_nothing(
    db: Session, make: Factory, world: World
) -> None:
    meeting = request(db, world)
    with pytest.raises(Forbidden):
        meetings.accept(db, actor=world.firm_user, meeting_id=meeting.id)
    with pytest.raises(NotFound):
        meetings.accept(db, actor=world.other_user, meeting_id=meeting.id)
    with pytest.raises(NotFound):
        meetings.decline(db, actor=make.user(Role.ORGANISER), meeting_id=meeting.id)


def test_declined_pair_cannot_be_asked_again(db: Session, world: World) -> None:
    meeting = request(db, world)
    meetings.decline(db, actor=world.sme_user, meeting_id=meeting.id, reason="产能已满")
    assert meeting.status is MeetingStatus.DECLINED
    with pytest.raises(Conflict):
        request(db, world)


def test_cancel_rules(db: Session, world: World) -> None:
    meeting = request(db, world)
    with pytest.raises(Forbidden):
        meetings.cancel(db, actor=world.sme_user, meeting_id=meeting.id)  # not their request
    meetings.cancel(db, actor=world.firm_user, meeting_id=meeting.id)
    assert meeting.status is MeetingStatus.CANCELLED
    again = agreed(db, world)  # a cancelled pair may ask again
    meetings.cancel(db, actor=world.sme_user, meeting_id=again.id)  # agreed: either side
    assert inbox(db, world.firm_user)[-1] == "meeting_cancelled"


def test_sme_capacity_limits_agreed_meetings(db: Session, make: Factory, world: World) -> None:
    world.event.sme_capacity = 1
    agreed(db, world)
    second = make.need(world.firm)
    make.event_need(world.event, second)
    with pytest.raises(InvalidState, match="1 meetings"):
        request(db, world, need_id=second.id)


# Organiser proposals
def test_organiser_proposal_waits_for_both_sides(db: Session, world: World) -> None:
    db.add(ShortlistEntry(event_id=world.event.id, need_id=world.need.id,
                          profile_id=world.profile.id, score=81.0, rank=1))  # fmt: skip
    db.commit()
    with pytest.raises(Forbidden):
        meetings.propose_shortlisted(db, actor=world.firm_user, event_id=world.event.id)
    [meeting] = meetings.propose_shortlisted(db, actor=world.organiser, event_id=world.event.id)
    assert meetings.propose_shortlisted(db, actor=world.organiser, event_id=world.event.id) == []
    assert inbox(db, world.firm_user) == inbox(db, world.sme_user) == ["meeting_proposed"]
    meetings.accept(db, actor=world.firm_user, meeting_id=meeting.id)
    assert (meeting.status, meeting.requested_by) == (MeetingStatus.REQUESTED, Side.FIRM)
    with pytest.raises(Forbidden):
        meetings.accept(db, actor=world.firm_user, meeting_id=meeting.id)
    meetings.accept(db, actor=world.sme_user, meeting_id=meeting.id)
    assert meeting.status is MeetingStatus.ACCEPTED


def test_only_shortlisted_pairs_are_proposed(db: Session, world: World) -> None:
    with pytest.raises(InvalidState, match="shortlist"):
        meetings.propose(db, actor=world.organiser, event_id=world.event.id,
                         need_id=world.need.id, profile_id=world.profile.id)  # fmt: skip


# Pages
def login(app: Any, user: User) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, page_login(client, user.email)


def test_request_and_accept_through_the_pages(app: Any, db: Session, world: World) -> None:
    firm, csrf = login(app, world.firm_user)
    page = firm.get(f"/events/{world.event.id}/meetings")
    assert page.status_code == 200 and world.profile.title in page.text
    form = {"need_id": world.need.id, "profile_id": world.profile.id, "csrf_token": csrf}
    sent = firm.post(f"/events/{world.event.id}/meetings", data=form, follow_redirects=False)
    assert sent.status_code == 303
    meeting = db.scalars(select(Meeting)).one()
    sme, sme_csrf = login(app, world.sme_user)
    assert "/accept" in sme.get(f"/events/{world.event.id}/meetings").text
    url = f"/events/{world.event.id}/meetings/{meeting.id}/accept"
    assert sme.post(url, data={"csrf_token": sme_csrf}, follow_redirects=False).status_code == 303
    db.refresh(meeting)
    assert meeting.status is MeetingStatus.ACCEPTED


def test_forms_without_csrf_are_refused(app: Any, db: Session, world: World) -> None:
    firm, _csrf = login(app, world.firm_user)
    form = {"need_id": world.need.id, "profile_id": world.profile.id, "csrf_token": "forged"}
    response = firm.post(f"/events/{world.event.id}/meetings", data=form)
    assert response.status_code == 403
    assert db.scalars(select(Meeting)).all() == []


def test_meeting_of_another_event_is_not_found(
    app: Any, db: Session, make: Factory, world: World
) -> None:
    meeting = request(db, world)
    other = make.event(world.organiser)
    sme, csrf = login(app, world.sme_user)
    url = f"/events/{other.id}/meetings/{meeting.id}/accept"
    assert sme.post(url, data={"csrf_token": csrf}).status_code == 404


# Schedule and agendas
def test_schedule_is_stored_and_shown_on_the_table_plan(
    app: Any, db: Session, world: World
) -> None:
    first, second = agreed(db, world), agreed(db, world, world.other_profile)
    organiser, csrf = login(app, world.organiser)
    response = organiser.post(f"/events/{world.event.id}/schedule", data={"csrf_token": csrf})
    assert response.status_code == 200  # followed to the table plan
    db.refresh(first)
    db.refresh(second)
    assert {first.slot, second.slot} == {0, 1}  # the firm meets one SME at a time
    assert first.table is not None and first.unplaced_reason is None
    assert first.id in response.text and "09:30–09:50" in response.text
    firm, _ = login(app, world.firm_user)
    assert firm.get(f"/events/{world.event.id}/tables").status_code == 403
    assert "agenda_updated" in inbox(db, world.firm_user)


def test_unavailable_sme_is_reported_unplaced(db: Session, make: Factory, world: World) -> None:
    sme = make.enterprise()
    profile = make.profile(sme)
    make.event_sme(world.event, profile, unavailable=list(range(world.event.slots)))
    meeting = meetings.request(db, actor=world.firm_user, event_id=world.event.id,
                               need_id=world.need.id, profile_id=profile.id)  # fmt: skip
    meetings.accept(db, actor=make.user(Role.SME, sme), meeting_id=meeting.id)
    report = agenda.schedule(db, actor=world.organiser, event_id=world.event.id)
    assert [(v.meeting.id, r.value) for v, r in report.unplaced] == [(meeting.id, "unavailable")]
    assert meeting.unplaced_reason == "unavailable"


def test_agenda_page_ics_and_pdf(app: Any, db: Session, world: World) -> None:
    meeting = agreed(db, world)
    agenda.schedule(db, actor=world.organiser, event_id=world.event.id)
    client, _ = login(app, world.firm_user)
    page = client.get(f"/events/{world.event.id}/agenda")
    assert page.status_code == 200
    assert world.sme.name in page.text and world.sme.contact_email in page.text
    assert "09:30–09:50" in page.text
    ics = client.get(f"/events/{world.event.id}/agenda.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart") == world.event.starts_at
    assert vevent.decoded("dtend") == world.event.starts_at + dt.timedelta(minutes=20)
    assert str(vevent["uid"]).startswith(meeting.id)
    assert world.sme.name in str(vevent["summary"])
    assert b"\r\n" in ics.content and all(len(x) <= 75 for x in ics.content.split(b"\r\n"))
    pdf = client.get(f"/events/{world.event.id}/agenda.pdf")
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    if text is not None:
        assert world.sme.name in text and "09:30" in text


def pdf_text(content: bytes) -> str | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    result = subprocess.run([tool, "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def test_agendas_of_others_are_refused(app: Any, world: World) -> None:
    client, _ = login(app, world.other_user)
    url = f"/events/{world.event.id}/agenda?enterprise={world.firm.id}"
    assert client.get(url).status_code == 403
    organiser, _ = login(app, world.organiser)
    assert organiser.get(url).status_code == 200


def test_cli_schedules_and_writes_an_agenda(
    db: Session, settings: Settings, world: World, tmp_path: Path, monkeypatch: Any
) -> None:
    agreed(db, world)
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", settings.db_url)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["events", "schedule", world.event.id])
    assert result.exit_code == 0, result.output
    assert "1 placed, 0 unplaced, 0 moved (proven optimal)" in result.output
    out = tmp_path / "agenda.ics"
    args = ["events", "agenda", world.event.id, "--enterprise", world.sme.id,
            "--format", "ics", "--output", str(out)]  # fmt: skip
    result = runner.invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert len(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")) == 1


# After the event
def test_sides_report_outcomes_and_the_funnel_counts(
    app: Any, db: Session, make: Factory, world: World
) -> None:
    world.event.starts_at = PAST
    first, second = agreed(db, world), agreed(db, world, world.other_profile)
    request(db, world, need_id=_extra_need(make, world).id)  # requested, never answered
    client, csrf = login(app, world.firm_user)
    form = {"rating": "4", "outcome": "follow_up", "csrf_token": csrf}
    url = f"/events/{world.event.id}/meetings/{first.id}/report"
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    outcomes.record(db, actor=world.sme_user, meeting_id=first.id, rating=5,
                    outcome=MeetingOutcome.SIGNED)  # fmt: skip
    db.refresh(first)
    assert (first.status, first.firm_rating, first.firm_outcome, first.sme_rating) == (
        MeetingStatus.HELD,
        4,
        MeetingOutcome.FOLLOW_UP,
        5,
    )
    outcomes.mark_held(db, actor=world.organiser, meeting_id=second.id)
    funnel = outcomes.event_funnel(db, actor=world.organiser, event_id=world.event.id)
    assert funnel.total == outcomes.Funnel(3, 2, 2, 1, 1, 1)
    assert funnel.by_need[world.need.id] == outcomes.Funnel(2, 2, 2, 1, 1, 1)
    with pytest.raises(Forbidden):
        outcomes.event_funnel(db, actor=world.firm_user, event_id=world.event.id)


def _extra_need(make: Factory, world: World) -> Need:
    need = make.need(world.firm)
    make.event_need(world.event, need)
    return need


def test_reports_wait_for_the_event_and_stay_in_range(db: Session, world: World) -> None:
    meeting = agreed(db, world)
    with pytest.raises(InvalidState, match="not started"):
        outcomes.record(db, actor=world.firm_user, meeting_id=meeting.id, rating=3, outcome=None)
    world.event.starts_at = PAST
    with pytest.raises(Exception, match="1 to 5"):
        outcomes.record(db, actor=world.firm_user, meeting_id=meeting.id, rating=9, outcome=None)
    with pytest.raises(Forbidden):
        outcomes.mark_held(db, actor=world.firm_user, meeting_id=meeting.id)


def test_funnel_uses_the_further_outcome() -> None:
    def held(firm: MeetingOutcome | None, sme: MeetingOutcome | None) -> Meeting:
        return Meeting(status=MeetingStatus.HELD, firm_outcome=firm, sme_outcome=sme)

    rows = [
        held(MeetingOutcome.NO_FIT, None),
        held(MeetingOutcome.FOLLOW_UP, MeetingOutcome.IN_PREPARATION),
        held(None, None),
        Meeting(status=MeetingStatus.DECLINED, responded_at=PAST),
        Meeting(status=MeetingStatus.CANCELLED, responded_at=PAST),
    ]
    assert outcomes.funnel_of(rows) == outcomes.Funnel(5, 4, 3, 1, 1, 0)
