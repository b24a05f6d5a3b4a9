"""Read import files (JSONL, JSON, CSV, XLSX) into raw records with their locations.

Readers only parse: every record comes out as a dict plus where it stood in the file
("line 3", "row 7", "item 2"), so validation errors can point at it. Cells from CSV and
XLSX are turned into the value kinds the record model expects (lists split, numbers kept).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchmaker.transfer.kinds import Kind
from matchmaker.transfer.lists import split_cell

UTF8_BOM = b"\xef\xbb\xbf"
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


class FileUnreadable(Exception):
    """The file as a whole cannot be read; the message says why and how to fix it."""


@dataclass(frozen=True)
class RawRecord:
    location: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Issue:
    location: str
    record_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.location + (f" (id {self.record_id})" if self.record_id else "")
        return f"{where}: {self.field}: {self.message}"


@dataclass
class Source:
    path: Path
    total: int
    records: Iterator[RawRecord]
    notices: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FileUnreadable(
            f"{path.name}: unknown file type {path.suffix!r}; use .jsonl, .json, .csv or .xlsx"
        )
    return fmt


def read_source(path: Path, kind: Kind) -> Source:
    fmt = file_format(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileUnreadable(f"{path}: cannot be read ({error.strerror})") from None
    if fmt == "xlsx":
        return _read_xlsx(path, data, kind)
    text, notices = _decode(path, data, allow_gbk=fmt == "csv")
    if fmt == "jsonl":
        source = _read_jsonl(path, text)
    elif fmt == "json":
        source = _read_json(path, text)
    else:
        source = _read_csv(path, text, kind)
    source.notices.extend(notices)
    return source


def _decode(path: Path, data: bytes, *, allow_gbk: bool) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileUnreadable(
            f"{path.name} is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8 (逗号分隔)' "
            "or export JSON as UTF-8"
        )
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        offset = error.start
    if allow_gbk:
        try:
            text = data.decode("gbk")
        except UnicodeDecodeError:
            text = ""
        if _CJK.search(text):
            return text, [
                f"{path.name} is encoded as GBK (as Excel in China often saves CSV); it was read "
                "as GBK. Save as 'CSV UTF-8 (逗号分隔)' to avoid this."
            ]
    raise FileUnreadable(
        f"{path.name} is not valid UTF-8 (first bad byte at offset {offset}). Save it as UTF-8: "
        "in Excel choose 'CSV UTF-8 (逗号分隔)(*.csv)', or convert with "
        f"'iconv -f GBK -t UTF-8 {path.name} > fixed{path.suffix}'"
    )


def _blank_to_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in values.items()}


def _read_jsonl(path: Path, text: str) -> Source:
    lines = text.splitlines()
    source = Source(path=path, total=sum(1 for line in lines if line.strip()), records=iter(()))

    def records() -> Iterator[RawRecord]:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            location = f"line {number}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                source.issues.append(
                    Issue(
                        location,
                        None,
                        "(record)",
                        f"invalid JSON at column {error.colno}: {error.msg}",
                    )
                )
                continue
            if not isinstance(value, dict):
                source.issues.append(Issue(location, None, "(record)", "is not a JSON object"))
                continue
            yield RawRecord(location, _blank_to_none(value))

    source.records = records()
    return source


def _read_json(path: Path, text: str) -> Source:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileUnreadable(
            f"{path.name}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(value, list):
        raise FileUnreadable(f"{path.name}: a .json import file holds an array of records")
    source = Source(path=path, total=len(value), records=iter(()))

    def records() -> Iterator[RawRecord]:
        for index, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                source.issues.append(
                    Issue(f"item {index}", None, "(record)", "is not a JSON object")
                )
                continue
            yield RawRecord(f"item {index}", _blank_to_none(item))

    source.records = records()
    return source


def _check_header(path: Path, header: list[str], kind: Kind) -> list[str]:
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in kind.fields]
    missing = [name for name in kind.required if name not in names]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if unknown:
        problems.append(
            f"unknown column(s) {', '.join(unknown)}; {kind.name} has {', '.join(kind.fields)}"
        )
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if duplicated:
        problems.append(f"column(s) {', '.join(duplicated)} appear more than once")
    if problems:
        raise FileUnreadable(f"{path.name} header (row 1): " + "; ".join(problems))
    return names


def _read_csv(path: Path, text: str, kind: Kind) -> Source:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise FileUnreadable(f"{path.name}: not a readable CSV file ({error})") from None
    if not rows:
        return Source(path=path, total=0, records=iter(()))
    header = _check_header(path, rows[0], kind)
    body = [
        (number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    source = Source(path=path, total=len(body), records=iter(()))

    def records() -> Iterator[RawRecord]:
        for number, row in body:
            if len(row) != len(header):
                message = f"has {len(row)} cells but the header has {len(header)} columns"
                source.issues.append(Issue(f"row {number}", None, "(record)", message))
                continue
            values = {name: _cell(kind, name, cell) for name, cell in zip(header, row, strict=True)}
            yield RawRecord(f"row {number}", values)

    source.records = records()
    return source


def _read_xlsx(path: Path, data: bytes, kind: Kind) -> Source:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook[kind.name] if kind.name in workbook.sheetnames else workbook.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))  # read-only: parts inflate only here
        workbook.close()
    except Exception as error:  # a damaged zip or XML part raises many kinds of error
        raise FileUnreadable(
            f"{path.name} is not a valid XLSX workbook ({type(error).__name__}: {error})"
        ) from None
    if not rows:
        return Source(path=path, total=0, records=iter(()))
    header_cells = list(rows[0])
    while header_cells and header_cells[-1] in (None, ""):
        header_cells.pop()
    header = _check_header(path, [str(c) if c is not None else "" for c in header_cells], kind)
    body = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(c not in (None, "") for c in row)
    ]

    def records() -> Iterator[RawRecord]:
        for number, row in body:
            cells = list(row[: len(header)]) + [None] * max(0, len(header) - len(row))
            extra = [c for c in row[len(header) :] if c not in (None, "")]
            values = {
                name: _cell(kind, name, cell) for name, cell in zip(header, cells, strict=True)
            }
            if extra:
                values["(beyond the last column)"] = extra
            yield RawRecord(f"row {number}", values)

    return Source(path=path, total=len(body), records=records())


def _cell(kind: Kind, name: str, cell: Any) -> Any:
    """A CSV/XLSX cell as the value kind of its field; blanks become None."""
    if cell is None:
        return None
    value_kind = kind.value_kind(name)
    if isinstance(cell, dt.datetime):
        return cell.date() if value_kind == "date" else cell.isoformat()
    if isinstance(cell, float) and cell.is_integer() and value_kind in ("str", "int", "list"):
        cell = int(cell)
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and value_kind in ("int", "float"):
        return cell
    text = str(cell).strip()
    if not text:
        return None
    return split_cell(text) if value_kind == "list" else text
