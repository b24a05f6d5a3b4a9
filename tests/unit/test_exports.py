"""The exporters' contract and structure, on plain data (no database, no external tools)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from matchmaker.exports import RUN_SHEETS, SHORTLISTS
from matchmaker.exports import csv as csv_export
from matchmaker.exports.base import (
    EventHeader,
    Registry,
    content_disposition,
    export_filename,
    safe_cell,
)
from matchmaker.exports.runsheet import HEADERS as RUN_SHEET_HEADERS
from matchmaker.exports.runsheet import RunSheet, RunSheetRow, build_rows
from matchmaker.exports.shortlists import (
    ROW_HEADERS,
    SCHEDULE_HEADERS,
    SUMMARY_HEADERS,
    Contact,
    MeetingSlot,
    NeedSection,
    ScheduleRow,
    ShortlistExport,
    ShortlistRow,
)
from matchmaker.exports.xlsx import sheet_name

EVENT = EventHeader(
    id="event-9",
    title="集成电路产业链对接会",
    starts_at=dt.datetime(2027, 3, 18, 1, 30, tzinfo=dt.UTC),
    venue="张江科学会堂",
)
SLOT = MeetingSlot(round=2, table=3, time="09:50-10:10")


def sample_export() -> ShortlistExport:
    gases = ShortlistRow(
        rank=1, score=82.0, band="强匹配", reasons=("文本匹配：电子特气", "具备所需认证：ISO 9001"),
        profile="高纯电子特气供应", enterprise="上海甲气体科技有限公司", district="浦东新区",
        certifications=("ISO 9001", "IATF 16949"), meeting=SLOT,
        contact=Contact("王经理", "+86 21 5555 0000", "wang@example.cn"),
    )  # fmt: skip
    hidden = ShortlistRow(
        rank=2, score=47.5, band="较匹配", reasons=(), profile="=HYPERLINK(\"http://x\")",
        enterprise="上海乙材料有限公司", district="嘉定区", certifications=(),
    )  # fmt: skip
    return ShortlistExport(
        event=EVENT,
        needs=(
            NeedSection(
                "need-1", "晶圆厂电子特气本地化供应", "上海大芯片制造有限公司", (gases, hidden)
            ),
            NeedSection("need-2", "封装测试设备国产化", "上海封测集团", ()),
        ),
        schedule=(
            ScheduleRow(
                SLOT,
                "need-1",
                "晶圆厂电子特气本地化供应",
                "上海大芯片制造有限公司",
                "高纯电子特气供应",
                "上海甲气体科技有限公司",
            ),
        ),
    )


def sample_run_sheet() -> RunSheet:
    rows = build_rows(
        [
            RunSheetRow("上海封测集团", "上海乙材料有限公司", "封装材料联合开发", "技术合作协议",
                        None, "赵总", "钱总", "分会场B", order=2),
            {"firm": "上海大芯片制造有限公司", "sme": "上海甲气体科技有限公司",
             "subject": "电子特气三年供应", "kind": "采购框架协议", "amount_wan": 1200,
             "firm_signatory": "孙总", "sme_signatory": "李总", "order": 1, "note": "ignored"},
        ]
    )  # fmt: skip
    return RunSheet(event=EVENT, rows=rows)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 21 5555", "'+86 21 5555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("上海=浦东", "上海=浦东"),
        ("", ""),
        (-2, -2),
        (82.5, 82.5),
        (None, None),
    ],
)
def test_safe_cell_quotes_only_text_that_would_run_as_a_formula(
    value: object, safe: object
) -> None:
    assert safe_cell(value) == safe


def test_every_exporter_keeps_the_contract() -> None:
    for registry in (SHORTLISTS, RUN_SHEETS):
        for exporter in registry:
            fmt = exporter.identifier.rpartition(".")[2]
            assert registry.get(fmt) is exporter
            assert exporter.extension == f".{fmt}"
            assert exporter.filename(EVENT).endswith(exporter.extension)
            assert "/" in exporter.content_type
    assert SHORTLISTS.formats == ("xlsx", "csv", "pdf")
    assert RUN_SHEETS.formats == ("xlsx", "pdf")
    assert SHORTLISTS.get("docx") is None


def test_a_registry_refuses_two_exporters_for_one_format() -> None:
    exporter = next(iter(SHORTLISTS))
    with pytest.raises(ValueError, match="xlsx"):
        Registry("shortlists", [exporter, exporter])


def test_filenames_carry_the_title_and_date_without_path_characters() -> None:
    event = EventHeader("e1", 'a/b:c*"会"', EVENT.starts_at, None)
    assert export_filename(event, "推荐名单", ".csv") == "a_b_c_会_推荐名单_20270318.csv"
    assert (
        export_filename(EVENT, "签约清单", ".pdf") == "集成电路产业链对接会_签约清单_20270318.pdf"
    )


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    header = content_disposition("对接会_推荐名单.xlsx", "event:9-shortlists.xlsx")
    assert header == (
        'attachment; filename="event_9-shortlists.xlsx"; '
        f"filename*=UTF-8''{quote('对接会_推荐名单.xlsx')}"
    )


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    long = "需求" * 20 + "[a]:b"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31
    assert first != second and second.endswith("~2")
    assert sheet_name("a/b?", taken) == "a_b_"


def test_shortlists_workbook_has_a_summary_a_sheet_per_need_and_the_schedule() -> None:
    content = SHORTLISTS.get("xlsx").render(sample_export())
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["概览", "1 晶圆厂电子特气本地化供应", "2 封装测试设备国产化", "日程"]
    summary = [list(r) for r in book["概览"].iter_rows(values_only=True)]
    assert summary[0] == ["活动", "集成电路产业链对接会", None, None, None]
    assert summary[3][:2] == ["需求数", 2]
    assert tuple(summary[7]) == SUMMARY_HEADERS
    assert summary[8] == [1, "晶圆厂电子特气本地化供应", "上海大芯片制造有限公司", 2, 1]
    need = [list(r) for r in book["1 晶圆厂电子特气本地化供应"].iter_rows(values_only=True)]
    assert need[0][:2] == ["需求", "晶圆厂电子特气本地化供应"]
    assert need[1][:2] == ["大企业", "上海大芯片制造有限公司"]
    assert tuple(need[3]) == ROW_HEADERS
    assert need[4] == [
        1, 82, "强匹配", "文本匹配：电子特气\n具备所需认证：ISO 9001", "高纯电子特气供应",
        "上海甲气体科技有限公司", "浦东新区", "ISO 9001、IATF 16949", 2, 3, "09:50-10:10",
        "王经理", "'+86 21 5555 0000", "wang@example.cn",
    ]  # fmt: skip
    assert need[5][:3] == [2, 47.5, "较匹配"]
    assert need[5][4] == '\'=HYPERLINK("http://x")'  # text, never a formula
    assert need[5][11:] == [None, None, None]  # no contact for this reader
    schedule = list(book["日程"].iter_rows(values_only=True))
    assert schedule[0] == SCHEDULE_HEADERS
    assert schedule[1][:3] == ("09:50-10:10", 2, 3)


def test_shortlists_csv_is_one_row_per_entry_with_a_bom() -> None:
    content = SHORTLISTS.get("csv").render(sample_export())
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == csv_export.HEADERS
    assert len(rows) == 3
    assert rows[1][:6] == [
        "need-1",
        "晶圆厂电子特气本地化供应",
        "上海大芯片制造有限公司",
        "1",
        "82",
        "强匹配",
    ]
    assert rows[1][6] == "文本匹配：电子特气；具备所需认证：ISO 9001"
    assert rows[2][7] == '\'=HYPERLINK("http://x")'
    assert rows[2][-3:] == ["", "", ""]


def test_run_sheet_rows_follow_the_signing_order() -> None:
    rows = build_rows(
        [
            RunSheetRow("甲", "乙", "三", "协议"),
            RunSheetRow("甲", "乙", "二", "协议", order=5),
            RunSheetRow("甲", "乙", "四", "协议"),
            RunSheetRow("甲", "乙", "一", "协议", order=1),
        ]
    )
    assert [row.subject for row in rows] == ["一", "二", "三", "四"]
    converted = build_rows(
        [("丙", 3.5)], convert=lambda t: RunSheetRow(t[0], "乙", "项目", "合同", t[1])
    )
    assert converted[0].firm == "丙" and converted[0].amount_wan == 3.5
    with pytest.raises(TypeError, match="convert="):
        build_rows([("丙", 3.5)])


def test_run_sheet_workbook_lists_agreements_in_order_with_a_total() -> None:
    content = RUN_SHEETS.get("xlsx").render(sample_run_sheet())
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["签约清单"]
    rows = [list(r) for r in book["签约清单"].iter_rows(values_only=True)]
    assert tuple(rows[5]) == RUN_SHEET_HEADERS
    assert rows[6] == [
        1, "上海大芯片制造有限公司", "上海甲气体科技有限公司", "电子特气三年供应", "采购框架协议",
        1200, "孙总", "李总", "张江科学会堂",
    ]  # fmt: skip
    assert rows[7][0] == 2 and rows[7][5] is None and rows[7][8] == "分会场B"
    assert rows[8][:6] == ["合计", None, None, None, None, 1200]


@pytest.mark.parametrize(
    ("registry", "data"),
    [(SHORTLISTS, sample_export()), (RUN_SHEETS, sample_run_sheet())],
    ids=["shortlists", "runsheet"],
)
def test_pdfs_are_pdfs_with_the_cid_font(registry: Registry[object], data: object) -> None:
    content = registry.get("pdf").render(data)
    assert content.startswith(b"%PDF-")
    assert b"STSong-Light" in content


@pytest.mark.parametrize(("required", "outcome"), [("", "skip"), ("1", "fail")])
def test_a_missing_program_skips_unless_services_are_required(
    monkeypatch: pytest.MonkeyPatch, required: str, outcome: str
) -> None:
    from tools import require_program

    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("MATCHMAKER_REQUIRE_SERVICES", required)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected, match="apt-get install poppler-utils"):
        require_program("pdftotext", "poppler-utils")
