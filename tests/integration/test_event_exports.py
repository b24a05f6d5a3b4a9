"""Organiser exports of an event: gathered from the database, downloaded, and read back by
real tools (LibreOffice for XLSX, poppler for PDF)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import Factory
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tools import require_program

from matchmaker.accounts.models import User
from matchmaker.config import Settings
from matchmaker.enterprises import service as enterprises
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden, NotFound
from matchmaker.events import exports
from matchmaker.events.models import Event, Meeting, ShortlistEntry
from matchmaker.exports import RUN_SHEETS, SHORTLISTS
from matchmaker.exports.runsheet import RunSheetRow
from matchmaker.exports.shortlists import Contact, MeetingSlot
from matchmaker.fields import EnterpriseSize, EventStatus, MeetingStatus, Participation, Role, Side

FIRM = "上海大芯片制造有限公司"
NEED = "晶圆厂电子特气本地化供应"
GASES = "上海甲气体科技有限公司"
MATERIALS = "上海乙材料有限公司"
REASONS = [
    {"kind": "terms", "items": ["电子特气", "NF3"], "params": {}},
    {"kind": "certs_met", "items": ["ISO 9001"], "params": {}},
]


@dataclass
class Scene:
    organiser: User
    event: Event
    firm: Enterprise
    gases: Enterprise
    firm_user: User


@pytest.fixture
def scene(make: Factory, db: Session) -> Scene:
    organiser = make.user(Role.ORGANISER)
    firm = make.enterprise(EnterpriseSize.LARGE, name=FIRM)
    need = make.need(firm, title=NEED)
    other_need = make.need(make.enterprise(EnterpriseSize.LARGE, name="上海封测集团"),
                           title="封装测试设备国产化")  # fmt: skip
    declined = make.need(firm, title="已谢绝的需求")
    gases = make.enterprise(name=GASES, district="浦东新区", contact_name="王经理")
    materials = make.enterprise(name=MATERIALS, district="嘉定区")
    gas_profile = make.profile(gases, title="高纯电子特气供应", certifications=["ISO 9001"])
    material_profile = make.profile(materials, title="光刻胶配套材料")
    dropped = make.profile(make.enterprise(name="上海丙公司"), title="被移除的画像")
    event = make.event(organiser, title="集成电路产业链对接会")
    make.event_need(event, need)
    make.event_need(event, other_need)
    make.event_need(event, declined, status=Participation.DECLINED)
    for profile in (gas_profile, material_profile, dropped):
        make.event_sme(event, profile)
    db.add_all([
        ShortlistEntry(event_id=event.id, need_id=need.id, profile_id=material_profile.id,
                       score=47.5, rank=2, reasons=[{"kind": "tags", "items": ["专精特新"]}]),
        ShortlistEntry(event_id=event.id, need_id=need.id, profile_id=gas_profile.id,
                       score=82.0, rank=1, reasons=REASONS),
        ShortlistEntry(event_id=event.id, need_id=need.id, profile_id=dropped.id,
                       score=90.0, rank=0, reasons=[], removed=True),
        Meeting(id="meeting-1", event_id=event.id, need_id=need.id, profile_id=gas_profile.id,
                requested_by=Side.ORGANISER, status=MeetingStatus.ACCEPTED, slot=1, table=2),
        Meeting(id="meeting-2", event_id=event.id, need_id=need.id,
                profile_id=material_profile.id, requested_by=Side.FIRM,
                status=MeetingStatus.DECLINED, slot=2, table=0),
    ])  # fmt: skip
    db.commit()
    firm_user = make.user(Role.FIRM, firm)
    return Scene(organiser, event, firm, gases, firm_user)


# --- gathering and permissions -----------------------------------------------------------------


def test_shortlists_hold_accepted_needs_ranked_entries_and_placed_meetings(
    db: Session, scene: Scene
) -> None:
    data = exports.shortlists(db, actor=scene.organiser, event_id=scene.event.id)
    assert [(n.title, n.firm, len(n.rows)) for n in data.needs] == [
        (NEED, FIRM, 2),
        ("封装测试设备国产化", "上海封测集团", 0),
    ]
    first, second = data.needs[0].rows
    assert (first.rank, first.score, first.band, first.enterprise) == (1, 82.0, "强匹配", GASES)
    assert first.reasons == ("文本匹配：电子特气、NF3", "具备所需认证：ISO 9001")
    assert first.certifications == ("ISO 9001",)
    assert first.meeting == MeetingSlot(round=2, table=3, time="09:50-10:10")
    assert first.contact == Contact("王经理", "021-55550000", scene.gases.contact_email or "")
    assert (second.rank, second.band, second.reasons, second.meeting) == (
        2, "较匹配", ("企业资质：专精特新",), None,
    )  # fmt: skip
    assert second.contact is not None  # organisers see contacts by role
    assert [(s.meeting.round, s.enterprise) for s in data.schedule] == [(2, GASES)]


def test_contacts_are_hidden_from_a_counterpart_without_mutual_consent(
    db: Session, scene: Scene
) -> None:
    assert exports.contact_for(db, viewer=scene.firm_user, enterprise=scene.gases) is None
    enterprises.record_consent(db, scene.firm.id, scene.gases.id)
    db.commit()
    assert exports.contact_for(db, viewer=scene.firm_user, enterprise=scene.gases) is None
    enterprises.record_consent(db, scene.gases.id, scene.firm.id)
    db.commit()
    contact = exports.contact_for(db, viewer=scene.firm_user, enterprise=scene.gases)
    assert contact is not None and contact.name == "王经理"


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FIRM, Role.SME])
def test_only_the_events_organiser_and_admins_export(
    db: Session, make: Factory, scene: Scene, role: Role
) -> None:
    outsider = make.user(role, scene.gases if role is Role.SME else None)
    with pytest.raises(Forbidden):
        exports.shortlists(db, actor=outsider, event_id=scene.event.id)
    with pytest.raises(Forbidden):
        exports.run_sheet(db, actor=outsider, event_id=scene.event.id)
    admin = make.user(Role.ADMIN)
    assert len(exports.shortlists(db, actor=admin, event_id=scene.event.id).needs) == 2


def test_a_draft_event_is_not_found_by_others(db: Session, make: Factory, scene: Scene) -> None:
    scene.event.status = EventStatus.DRAFT
    db.commit()
    with pytest.raises(NotFound):
        exports.shortlists(db, actor=make.user(Role.ORGANISER), event_id=scene.event.id)


def test_run_sheet_takes_rows_from_the_source_in_signing_order(db: Session, scene: Scene) -> None:
    rows = [RunSheetRow(FIRM, GASES, "电子特气三年供应", "采购框架协议", 1200.0, order=2),
            RunSheetRow(FIRM, MATERIALS, "材料联合开发", "技术合作协议", order=1)]  # fmt: skip
    sheet = exports.run_sheet(
        db, actor=scene.organiser, event_id=scene.event.id, source=lambda _db, _event: rows
    )
    assert [row.sme for row in sheet.rows] == [MATERIALS, GASES]
    assert sheet.total_wan == 1200.0
    assert exports.run_sheet(db, actor=scene.organiser, event_id=scene.event.id).rows == ()


# --- downloads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type", "name"),
    [
        ("shortlists.xlsx", SHORTLISTS.get("xlsx").content_type, "推荐名单_20270318.xlsx"),
        ("shortlists.csv", "text/csv; charset=utf-8", "推荐名单_20270318.csv"),
        ("shortlists.pdf", "application/pdf", "推荐名单_20270318.pdf"),
        ("runsheet.xlsx", RUN_SHEETS.get("xlsx").content_type, "签约清单_20270318.xlsx"),
        ("runsheet.pdf", "application/pdf", "签约清单_20270318.pdf"),
    ],
)
def test_downloads_name_the_file_after_the_event(
    client: TestClient, make: Factory, scene: Scene, path: str, content_type: str, name: str
) -> None:
    response = client.get(
        f"/events/{scene.event.id}/export/{path}", headers=make.token_headers(scene.organiser)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "no-store"
    filename = f"集成电路产业链对接会_{name}"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{scene.event.id}-{path}\"; filename*=UTF-8''{quote(filename)}"
    )
    assert len(response.content) > 100


def test_downloads_refuse_strangers_and_unknown_formats(
    client: TestClient, make: Factory, scene: Scene
) -> None:
    base = f"/events/{scene.event.id}/export"
    stranger = make.token_headers(make.user(Role.ORGANISER))
    assert client.get(f"{base}/shortlists.csv", headers=stranger).status_code == 403
    owner = make.token_headers(scene.organiser)
    assert client.get(f"{base}/runsheet.csv", headers=owner).status_code == 404
    assert client.get("/events/nope/export/shortlists.csv", headers=owner).status_code == 404
    anonymous = client.get(f"{base}/shortlists.csv", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MATCHMAKER_DATA_DIR": str(settings.data_dir)}
    env["MATCHMAKER_DATABASE_URL"] = settings.db_url  # the test's database (SQLite or PostgreSQL)
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", "events", "export", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_cli_writes_the_export_to_a_file(settings: Settings, scene: Scene, tmp_path: Path) -> None:
    output = tmp_path / "shortlists.csv"
    options = ["--what", "shortlists", "--format", "csv", "--output", str(output)]
    result = _cli(settings, scene.event.id, *options)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(output.read_bytes().decode("utf-8-sig"))))
    assert [(row[1], row[3], row[8]) for row in rows[1:]] == [
        (NEED, "1", GASES),
        (NEED, "2", MATERIALS),
    ]
    assert rows[1][-3] == "王经理"  # the system sees every contact
    refused = _cli(settings, "no-such-event", *options)
    assert refused.returncode == 1
    assert "does not exist" in refused.stderr
    wrong = _cli(settings, scene.event.id, "--what", "runsheet", "--format", "csv", "-o", "x.csv")
    assert wrong.returncode == 1
    assert "xlsx, pdf" in wrong.stderr


# --- real tools read the files back --------------------------------------------------------------


def _xlsx_as_csv(content: bytes, folder: Path) -> dict[str, list[list[str]]]:
    """Every sheet of the workbook as LibreOffice reads it, by sheet name."""
    soffice = require_program("soffice", "libreoffice-calc-nogui")
    source = folder / "book.xlsx"
    source.write_bytes(content)
    # Filter options: comma, double quote, UTF-8 (76), line 1, ..., cells as shown, every sheet (-1).
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    result = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
         "--convert-to", csv_filter, "--outdir", str(folder / "out"), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sheets = {}
    for path in sorted((folder / "out").glob("book-*.csv")):
        text = path.read_text(encoding="utf-8")
        sheets[path.stem.removeprefix("book-")] = list(csv.reader(io.StringIO(text)))
    return sheets


def _pdf_text(content: bytes, folder: Path) -> str:
    pdftotext = require_program("pdftotext", "poppler-utils")
    pdftoppm = require_program("pdftoppm", "poppler-utils")
    source = folder / "file.pdf"
    source.write_bytes(content)
    text = subprocess.run(
        [pdftotext, "-layout", str(source), "-"], capture_output=True, timeout=60, check=True
    ).stdout.decode("utf-8")
    rendered = subprocess.run(
        [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(source), str(folder / "page")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    assert [p.stat().st_size > 0 for p in folder.glob("page*.png")] == [True]
    return text


def test_libreoffice_reads_the_shortlists_workbook(
    db: Session, scene: Scene, tmp_path: Path
) -> None:
    data = exports.shortlists(db, actor=scene.organiser, event_id=scene.event.id)
    sheets = _xlsx_as_csv(SHORTLISTS.get("xlsx").render(data), tmp_path)
    assert list(sheets) == sorted(["概览", f"1 {NEED}", "2 封装测试设备国产化", "日程"])
    summary = sheets["概览"]
    assert summary[0][:2] == ["活动", "集成电路产业链对接会"]
    assert [
        int(summary[8][0]),
        *summary[8][1:3],
        *map(int, summary[8][3:5]),
    ] == [1, NEED, FIRM, 2, 1]
    need = sheets[f"1 {NEED}"]
    assert need[1][:2] == ["大企业", FIRM]
    assert need[4][:3] == ["1", "82", "强匹配"]
    assert need[4][3] == "文本匹配：电子特气、NF3\n具备所需认证：ISO 9001"
    assert need[4][5:11] == [GASES, "浦东新区", "ISO 9001", "2", "3", "09:50-10:10"]
    assert need[5][:3] == ["2", "47.5", "较匹配"]
    assert sheets["日程"][1][:3] == ["09:50-10:10", "2", "3"]


def test_pdftotext_finds_the_chinese_of_the_shortlists(
    db: Session, scene: Scene, tmp_path: Path
) -> None:
    data = exports.shortlists(db, actor=scene.organiser, event_id=scene.event.id)
    text = _pdf_text(SHORTLISTS.get("pdf").render(data), tmp_path)
    for expected in (f"需求：{NEED}", f"大企业：{FIRM}", "大企业：上海封测集团", GASES,
                     "强匹配", "会议日程", "09:50-10:10"):  # fmt: skip
        assert expected in text


def test_pdftotext_finds_the_chinese_of_the_run_sheet(scene: Scene, tmp_path: Path) -> None:
    from matchmaker.exports.runsheet import RunSheet, build_rows

    rows = build_rows([RunSheetRow(FIRM, GASES, "电子特气三年供应", "采购框架协议", 1200.0,
                                   "孙总", "李总", "分会场B")])  # fmt: skip
    sheet = RunSheet(event=exports.header(scene.event), rows=rows)
    text = _pdf_text(RUN_SHEETS.get("pdf").render(sheet), tmp_path)
    for expected in ("集成电路产业链对接会 签约清单", FIRM, GASES, "电子特气三年供应",
                     "1,200.00", "分会场B", "合计"):  # fmt: skip
        assert expected in text


def test_libreoffice_reads_the_run_sheet_workbook(scene: Scene, tmp_path: Path) -> None:
    from matchmaker.exports.runsheet import RunSheet, build_rows

    rows = build_rows([RunSheetRow(FIRM, GASES, "电子特气三年供应", "采购框架协议", 1200.5)])
    sheet = RunSheet(event=exports.header(scene.event), rows=rows)
    sheets = _xlsx_as_csv(RUN_SHEETS.get("xlsx").render(sheet), tmp_path)
    table = sheets["签约清单"]
    assert table[6][:6] == ["1", FIRM, GASES, "电子特气三年供应", "采购框架协议", "1,200.50"]
    assert table[6][8] == "张江科学会堂"
    assert table[7][0] == "合计" and table[7][5] == "1,200.50"
