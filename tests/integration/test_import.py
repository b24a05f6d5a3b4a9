"""Import: every file type, upsert counts, atomicity, and precise errors for bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.enterprises.models import Enterprise
from matchmaker.fields import NeedStatus
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.transfer.importer import ImportFailed, import_files

LARGE = {
    "id": "e-large",
    "name": "上海华湛集成电路集团有限公司",
    "size": "large",
    "uscc": "91310115MA1K000003",
}
SME = {
    "id": "e-sme",
    "name": "上海临芯微电子科技有限公司",
    "size": "small",
    "district": "浦东新区",
    "tags": ["专精特新", "高新技术企业"],
    "employees": 86,
    "founded": 2016,
    "contact_name": "王敏",
    "contact_phone": "021-50001234",
    "contact_email": "wm@linxin.example.cn",
}
PROFILE = {
    "id": "p-1",
    "enterprise_id": "e-sme",
    "title": "电子特气提纯与供应",
    "summary": "为12英寸晶圆厂提供NF3、WF6等电子特气",
    "capabilities": ["气体纯化", "钢瓶处理"],
    "certifications": ["ISO 9001"],
    "open_to": ["supply_chain", "technology"],
}
NEED = {
    "id": "n-1",
    "enterprise_id": "e-large",
    "type": "supply_chain",
    "title": "电子特气本地化供应",
    "description": "寻找上海本地电子特气供应商",
    "requirements": ["年供货50吨"],
    "budget_min": 100,
    "budget_max": 500,
    "deadline": "2099-06-30",
}


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _cells(record: dict[str, Any], header: list[str]) -> list[Any]:
    values = []
    for name in header:
        value = record.get(name)
        values.append(";".join(value) if isinstance(value, list) else value)
    return values


def write_csv(path: Path, records: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    header = list(dict.fromkeys(key for record in records for key in record))
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for record in records:
            writer.writerow(["" if v is None else v for v in _cells(record, header)])
    return path


def write_xlsx(path: Path, records: list[dict[str, Any]]) -> Path:
    header = list(dict.fromkeys(key for record in records for key in record))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for record in records:
        sheet.append(_cells(record, header))
    workbook.save(path)
    return path


def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    return path


WRITERS = {"jsonl": write_jsonl, "json": write_json, "csv": write_csv, "xlsx": write_xlsx}


def count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_import_reads_every_file_type(db: Session, tmp_path: Path, fmt: str) -> None:
    write = WRITERS[fmt]
    files = [
        ("enterprises", write(tmp_path / f"enterprises.{fmt}", [LARGE, SME])),
        ("profiles", write(tmp_path / f"profiles.{fmt}", [PROFILE])),
        ("needs", write(tmp_path / f"needs.{fmt}", [NEED])),
    ]
    report = import_files(db, files)
    assert {name: counts.created for name, counts in report.kinds.items()} == {
        "enterprises": 2,
        "profiles": 1,
        "needs": 1,
    }
    sme = db.get(Enterprise, "e-sme")
    assert sme is not None
    assert (sme.tags, sme.employees, sme.contact_email) == (
        ["专精特新", "高新技术企业"],
        86,
        "wm@linxin.example.cn",
    )
    profile = db.get(CapabilityProfile, "p-1")
    assert profile is not None
    assert (profile.capabilities, profile.open_to, profile.status.value) == (
        ["气体纯化", "钢瓶处理"],
        ["supply_chain", "technology"],
        "published",
    )
    need = db.get(Need, "n-1")
    assert need is not None
    assert (
        need.budget_min,
        need.budget_max,
        need.deadline.isoformat() if need.deadline else None,
    ) == (
        100.0,
        500.0,
        "2099-06-30",
    )
    assert need.status is NeedStatus.OPEN


def test_import_twice_changes_nothing_and_counts_unchanged(db: Session, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "enterprises.jsonl", [LARGE, SME])
    import_files(db, [("enterprises", path)])
    report = import_files(db, [("enterprises", path)])
    counts = report.kinds["enterprises"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 2)


def test_import_updates_changed_records_by_id(db: Session, tmp_path: Path) -> None:
    import_files(db, [("enterprises", write_jsonl(tmp_path / "a.jsonl", [LARGE, SME]))])
    changed = {**SME, "employees": 120, "tags": ["专精特新小巨人"]}
    report = import_files(
        db, [("enterprises", write_jsonl(tmp_path / "b.jsonl", [LARGE, changed]))]
    )
    counts = report.kinds["enterprises"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 1)
    db.expire_all()
    sme = db.get(Enterprise, "e-sme")
    assert sme is not None and (sme.employees, sme.tags) == (120, ["专精特新小巨人"])


def test_one_bad_record_means_nothing_is_written(db: Session, tmp_path: Path) -> None:
    bad = {**SME, "id": "e-bad", "uscc": "91310115MA1K000000"}
    path = write_jsonl(tmp_path / "enterprises.jsonl", [LARGE, SME, bad])
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("enterprises", path)])
    assert count(db, Enterprise) == 0
    [issue] = failure.value.issues
    assert (issue.location, issue.record_id, issue.field) == (
        "enterprises.jsonl line 3",
        "e-bad",
        "uscc",
    )
    assert "check character is wrong" in issue.message


def test_failure_in_a_later_file_rolls_back_the_earlier_ones(db: Session, tmp_path: Path) -> None:
    enterprises = write_jsonl(tmp_path / "enterprises.jsonl", [LARGE, SME])
    needs = write_jsonl(tmp_path / "needs.jsonl", [{**NEED, "type": "charity"}])
    with pytest.raises(ImportFailed):
        import_files(db, [("enterprises", enterprises), ("needs", needs)])
    assert (count(db, Enterprise), count(db, Need)) == (0, 0)


def test_every_bad_record_is_listed_with_location_field_and_reason(
    db: Session, tmp_path: Path
) -> None:
    records = [
        {**NEED, "id": "n-ok"},
        {**NEED, "id": "n-type", "type": "charity"},
        {**NEED, "id": "n-budget", "budget_min": 900, "budget_max": 100},
        {**NEED, "id": "n-date", "deadline": "2027-02-30"},
        {**NEED, "id": "n-owner", "enterprise_id": "nobody"},
        {**NEED, "id": "n-sme", "enterprise_id": "e-sme"},
        {**NEED, "id": "n-extra", "colour": "blue"},
        {key: value for key, value in NEED.items() if key != "title"} | {"id": "n-notitle"},
        {**NEED, "id": "n-ok"},
    ]
    import_files(db, [("enterprises", write_jsonl(tmp_path / "e.jsonl", [LARGE, SME]))])
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("needs", write_jsonl(tmp_path / "needs.jsonl", records))])
    found = {(i.location.split()[-1], i.record_id, i.field) for i in failure.value.issues}
    assert found == {
        ("2", "n-type", "type"),
        ("3", "n-budget", "budget_max"),
        ("4", "n-date", "deadline"),
        ("7", "n-extra", "colour"),
        ("8", "n-notitle", "title"),
        ("9", "n-ok", "id"),
        ("5", "n-owner", "enterprise_id"),
        ("6", "n-sme", "enterprise_id"),
    }
    messages = {i.record_id: i.message for i in failure.value.issues}
    assert "budget_min (900) is larger than budget_max (100)" in messages["n-budget"]
    assert "unknown enterprise 'nobody'" in messages["n-owner"]
    assert "needs are posted by large enterprises" in messages["n-sme"]
    assert "duplicate id, first used at needs.jsonl line 1" in messages["n-ok"]
    assert count(db, Need) == 0


def test_profiles_may_refer_to_enterprises_in_the_same_import(db: Session, tmp_path: Path) -> None:
    report = import_files(
        db,
        [
            ("profiles", write_csv(tmp_path / "profiles.csv", [PROFILE])),
            ("enterprises", write_csv(tmp_path / "enterprises.csv", [SME])),
        ],
    )
    assert report.kinds["profiles"].created == 1


def test_skip_invalid_writes_the_valid_and_reports_the_rest(db: Session, tmp_path: Path) -> None:
    bad = {**SME, "id": "e-bad", "size": "huge"}
    orphan = {**PROFILE, "id": "p-orphan", "enterprise_id": "e-bad"}
    report = import_files(
        db,
        [
            ("enterprises", write_jsonl(tmp_path / "enterprises.jsonl", [SME, bad])),
            ("profiles", write_jsonl(tmp_path / "profiles.jsonl", [PROFILE, orphan])),
        ],
        skip_invalid=True,
    )
    assert (report.kinds["enterprises"].created, report.kinds["enterprises"].invalid) == (1, 1)
    assert (report.kinds["profiles"].created, report.kinds["profiles"].invalid) == (1, 1)
    assert {(i.record_id, i.field) for i in report.issues} == {
        ("e-bad", "size"),
        ("p-orphan", "enterprise_id"),
    }
    assert db.get(CapabilityProfile, "p-orphan") is None


def test_unknown_csv_column_is_an_error_naming_it(db: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "enterprises.csv", [{**SME, "website": "x.cn"}])
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("enterprises", path)])
    [issue] = failure.value.issues
    assert issue.field == "(file)"
    assert "unknown column(s) website" in issue.message


def test_missing_required_csv_column_is_an_error(db: Session, tmp_path: Path) -> None:
    record = {key: value for key, value in SME.items() if key != "size"}
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("enterprises", write_csv(tmp_path / "enterprises.csv", [record]))])
    assert "missing required column(s) size" in failure.value.issues[0].message


def test_csv_with_bom_is_read(db: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "enterprises.csv", [SME], encoding="utf-8-sig")
    assert import_files(db, [("enterprises", path)]).kinds["enterprises"].created == 1


def test_gbk_csv_is_detected_and_read_with_a_notice(db: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "enterprises.csv", [SME], encoding="gbk")
    report = import_files(db, [("enterprises", path)])
    enterprise = db.get(Enterprise, "e-sme")
    assert enterprise is not None and enterprise.name == SME["name"]
    assert any("GBK" in notice for notice in report.notices)


def test_non_utf8_json_is_rejected_with_a_fix(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "enterprises.jsonl"
    path.write_bytes(json.dumps(SME, ensure_ascii=False).encode("gbk"))
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("enterprises", path)])
    message = failure.value.issues[0].message
    assert "not valid UTF-8" in message and "iconv" in message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("enterprises.jsonl", b'{"id": "x",\n', "invalid JSON at column"),
        ("enterprises.jsonl", b"[1, 2]\n", "is not a JSON object"),
        ("enterprises.json", b'{"id": "x"}', "holds an array of records"),
        ("enterprises.xlsx", b"not a zip file", "not a valid XLSX workbook"),
        ("enterprises.txt", b"id\n", "unknown file type"),
        (
            "enterprises.csv",
            "\ufeffid,name,size\r\nx,名称\r\n".encode(),
            "has 2 cells but the header has 3",
        ),
    ],
)
def test_broken_files_give_a_precise_error(
    db: Session, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("enterprises", path)])
    assert expected in str(failure.value.issues[0])
    assert count(db, Enterprise) == 0


def test_xlsx_numbers_in_text_fields_become_text(db: Session, tmp_path: Path) -> None:
    # Excel stores phone numbers typed without a dash as numbers.
    path = write_xlsx(tmp_path / "enterprises.xlsx", [{**SME, "contact_phone": 13912345678}])
    import_files(db, [("enterprises", path)])
    enterprise = db.get(Enterprise, "e-sme")
    assert enterprise is not None and enterprise.contact_phone == "13912345678"


def test_duplicate_uscc_within_the_file_or_database_is_refused(db: Session, tmp_path: Path) -> None:
    twin = {**LARGE, "id": "e-twin"}
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("enterprises", write_jsonl(tmp_path / "a.jsonl", [LARGE, twin]))])
    assert "is also given to 'e-large'" in failure.value.issues[0].message
    import_files(db, [("enterprises", write_jsonl(tmp_path / "b.jsonl", [LARGE]))])
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("enterprises", write_jsonl(tmp_path / "c.jsonl", [twin]))])
    assert "already registered to enterprise 'e-large'" in failure.value.issues[0].message


def test_closed_need_needs_a_reason(db: Session, tmp_path: Path) -> None:
    import_files(db, [("enterprises", write_jsonl(tmp_path / "e.jsonl", [LARGE]))])
    records = [{**NEED, "status": "closed"}, {**NEED, "id": "n-2", "close_reason": "filled"}]
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("needs", write_jsonl(tmp_path / "needs.jsonl", records))])
    messages = sorted(issue.message for issue in failure.value.issues)
    assert messages == [
        "a closed need needs a close_reason (filled, withdrawn or expired)",
        "close_reason is only for closed needs, this one is open",
    ]


def test_unknown_chain_segment_is_refused(db: Session, tmp_path: Path) -> None:
    import_files(db, [("enterprises", write_jsonl(tmp_path / "e.jsonl", [SME]))])
    records = [{**PROFILE, "segments": ["ic.electronic_gases", "ic.no_such_thing"]}]
    with pytest.raises(ImportFailed) as failure:
        import_files(db, [("profiles", write_jsonl(tmp_path / "profiles.jsonl", records))])
    [issue] = failure.value.issues
    assert (issue.field, issue.message) == (
        "segments",
        "unknown chain segment 'ic.no_such_thing' (see `matchmaker graph show CHAIN`)",
    )
