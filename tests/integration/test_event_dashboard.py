"""The event dashboard counts participation, meetings and signed agreements by segment."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from conftest import page_login
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from matchmaker.agreements.models import Agreement
from matchmaker.events.models import Meeting
from matchmaker.fields import (
    AgreementStatus,
    AgreementType,
    EnterpriseSize,
    MeetingStatus,
    Participation,
    Role,
    Side,
)


def test_dashboard_counts_and_downloads(client: TestClient, make: Any, db: Any) -> None:
    organiser = make.user(Role.ORGANISER)
    event = make.event(organiser)
    firm = make.enterprise(EnterpriseSize.LARGE)
    gases = make.need(firm, segments=["ic.electronic_gases"])
    fab = make.need(firm, segments=["ic.wafer_fab"])
    smes = [make.profile(make.enterprise()) for _ in range(3)]
    for need in (gases, fab):
        make.event_need(event, need)
    for profile in smes:
        make.event_sme(event, profile)
    make.event_sme(event, make.profile(make.enterprise()), Participation.DECLINED)
    statuses = [MeetingStatus.HELD, MeetingStatus.HELD, MeetingStatus.ACCEPTED]
    for n, (profile, status) in enumerate(zip(smes, statuses, strict=True)):
        db.add(Meeting(id=f"m{n}", event_id=event.id, need_id=gases.id, profile_id=profile.id,
                       requested_by=Side.FIRM, status=status))  # fmt: skip
    db.add(Meeting(id="m9", event_id=event.id, need_id=fab.id, profile_id=smes[0].id,
                   requested_by=Side.SME, status=MeetingStatus.REQUESTED))  # fmt: skip
    signed = dt.datetime(2027, 3, 18, 8, 0, tzinfo=dt.UTC)
    db.add(Agreement(id="a1", code="ABCD1234", event_id=event.id, need_id=gases.id,
                     firm_id=firm.id, sme_id=smes[0].enterprise_id, firm_name=firm.name,
                     sme_name="SME", subject="电子特气供货", type=AgreementType.SUPPLY,
                     amount_wan=1200.0, status=AgreementStatus.SIGNED, signed_at=signed))  # fmt: skip
    db.commit()
    page_login(client, organiser.email)
    page = client.get(f"/events/{event.id}/dashboard")
    assert page.status_code == 200
    assert '<svg class="chart"' in page.text and "对接成效漏斗" in page.text
    book = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/dashboard.xlsx").content))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert summary["参会需求 Needs"] == 2 and summary["参会中小企业 SMEs"] == 3
    assert (summary["洽谈申请 Meetings requested"], summary["已接受 Accepted"]) == (4, 3)
    assert (summary["已举行 Held"], summary["已签约 Agreements signed"]) == (2, 1)
    assert summary["签约金额（万元） Amount signed (10k CNY)"] == 1200.0
    segments = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert segments == [("电子特气", 3, 2, 1, 1200.0), ("晶圆制造", 1, 0, 0, 0.0)]
    days = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert days[-1][2] == 1  # the signing day (Shanghai date) has one signing


def test_dashboard_is_for_the_organiser_only(client: TestClient, make: Any) -> None:
    event = make.event(make.user(Role.ORGANISER))
    page_login(client, make.user(Role.ORGANISER).email)
    assert client.get(f"/events/{event.id}/dashboard").status_code == 403
