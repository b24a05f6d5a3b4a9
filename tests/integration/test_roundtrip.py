"""Export then import into an empty database gives back the same data, in every format."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from matchmaker.db import Database
from matchmaker.migrate import upgrade
from matchmaker.transfer import exporter
from matchmaker.transfer.importer import import_files
from matchmaker.transfer.kinds import KINDS

ENTERPRISES = [
    {"id": "e-l", "name": "上海华湛集团股份有限公司", "size": "large", "uscc": "91310115MA1K000003",
     "city": "上海市", "district": "浦东新区", "tags": ["链主企业"], "employees": 12000, "founded": 1998,
     "description": "集成电路制造。\n第二段：含\"引号\"、逗号, 以及反斜杠\\。", "contact_name": "李华",
     "contact_phone": "021-50001234", "contact_email": "lh@huazhan.example.cn"},
    {"id": "e-s", "name": "上海臨芯微電子科技有限公司", "size": "micro", "uscc": None, "city": None,
     "district": None, "tags": [], "employees": None, "founded": None, "description": None,
     "contact_name": None, "contact_phone": None, "contact_email": None},
]  # fmt: skip
PROFILES = [
    {"id": "p-1", "enterprise_id": "e-s", "title": "SiC外延片 / GaN-on-Si", "summary": "第三代半导体；车规级",
     "capabilities": ["6英寸SiC外延", "a;b 含分号", "c\\d 含反斜杠", "\\;"], "products": [],
     "certifications": ["IATF 16949", "ISO 9001"], "regions": ["长三角"], "open_to": ["technology"],
     "funding_stage": "A轮", "segments": ["ic.wide_bandgap_materials"], "status": "draft"},
]  # fmt: skip
NEEDS = [
    {"id": "n-1", "enterprise_id": "e-l", "type": "investment", "title": "早期项目投资", "description": "CVC",
     "requirements": ["估值合理"], "certifications": [], "regions": [], "budget_min": 0.5,
     "budget_max": 1234.25, "deadline": "2099-01-31", "segments": [], "status": "open", "close_reason": None},
    {"id": "n-2", "enterprise_id": "e-l", "type": "service", "title": "检测服务", "description": "CNAS",
     "requirements": [], "certifications": ["CNAS"], "regions": ["上海市", "江苏省"], "budget_min": None,
     "budget_max": None, "deadline": None, "segments": [], "status": "closed", "close_reason": "filled"},
    {"id": "n-3", "enterprise_id": "e-l", "type": "technology", "title": "草稿", "description": "草稿",
     "requirements": [], "certifications": [], "regions": [], "budget_min": 100,
     "budget_max": 100, "deadline": "2099-12-31", "segments": ["ic.power_devices", "nev.bms"], "status": "draft", "close_reason": None},
]  # fmt: skip
DATA = {"enterprises": ENTERPRISES, "profiles": PROFILES, "needs": NEEDS}


def fresh_database(path: Path) -> Database:
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    return database


def dump(db: Session, kind: str, fmt: str) -> bytes:
    stream = io.BytesIO()
    exporter.export(db, KINDS[kind], fmt, stream)
    return stream.getvalue()


def jsonl_records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Session]:
    database = fresh_database(tmp_path / "source.sqlite3")
    files = []
    for kind, records in DATA.items():
        path = tmp_path / f"{kind}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
        files.append((kind, path))
    with database.sessions() as session:
        import_files(session, files)
        yield session
    database.dispose()


def test_export_gives_back_exactly_what_was_imported(source: Session) -> None:
    for kind, records in DATA.items():
        exported = jsonl_records(dump(source, kind, "jsonl"))
        assert exported == sorted(records, key=lambda r: r["id"])


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_round_trip_through_each_format_is_lossless(
    source: Session, tmp_path: Path, fmt: str
) -> None:
    files = []
    for kind in DATA:
        path = tmp_path / f"{kind}.{fmt}"
        path.write_bytes(dump(source, kind, fmt))
        files.append((kind, path))
    database = fresh_database(tmp_path / "target.sqlite3")
    with database.sessions() as target:
        report = import_files(target, files)
        created = {kind: counts.created for kind, counts in report.kinds.items()}
        assert created == {kind: len(records) for kind, records in DATA.items()}
        for kind in DATA:
            assert dump(target, kind, "jsonl") == dump(source, kind, "jsonl")
    database.dispose()


def test_csv_export_has_a_bom_and_excel_friendly_cells(source: Session) -> None:
    data = dump(source, "profiles", "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "6英寸SiC外延;a\\;b 含分号;c\\\\d 含反斜杠;\\\\\\;" in text
