"""Write records as JSONL, CSV or XLSX, in exactly the format the importer reads back.

Every writer follows one small contract (name, extension, content type, write), the shape
later exports (shortlists, schedules) follow as well.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any, BinaryIO, Protocol

from matchmaker.transfer.kinds import Kind
from matchmaker.transfer.lists import join_cell


class RecordWriter(Protocol):
    name: str
    extension: str
    content_type: str

    def write(self, kind: Kind, records: Iterable[dict[str, Any]], stream: BinaryIO) -> int:
        """Write every record to the binary stream; returns how many were written."""
        ...


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _cell_value(value: Any) -> Any:
    """A field as one spreadsheet cell: lists joined, dates ISO, whole floats as integers."""
    if value is None:
        return None
    if isinstance(value, list):
        return join_cell(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class JsonlWriter:
    name = "jsonl"
    extension = ".jsonl"
    content_type = "application/x-ndjson"

    def write(self, kind: Kind, records: Iterable[dict[str, Any]], stream: BinaryIO) -> int:
        count = 0
        for record in records:
            line = json.dumps(
                {key: _json_value(record[key]) for key in kind.fields}, ensure_ascii=False
            )
            stream.write(line.encode("utf-8") + b"\n")
            count += 1
        return count


class CsvWriter:
    name = "csv"
    extension = ".csv"
    content_type = "text/csv; charset=utf-8"

    def write(self, kind: Kind, records: Iterable[dict[str, Any]], stream: BinaryIO) -> int:
        # A BOM so that Excel opens the UTF-8 file with Chinese intact.
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(kind.fields)
        count = 0
        for record in records:
            row = [_cell_value(record[key]) for key in kind.fields]
            writer.writerow(["" if cell is None else cell for cell in row])
            count += 1
        text.flush()
        text.detach()
        return count


class XlsxWriter:
    name = "xlsx"
    extension = ".xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def write(self, kind: Kind, records: Iterable[dict[str, Any]], stream: BinaryIO) -> int:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(kind.name)
        sheet.append(list(kind.fields))
        count = 0
        for record in records:
            sheet.append([_xlsx_cell(sheet, _cell_value(record[key])) for key in kind.fields])
            count += 1
        workbook.save(stream)
        return count


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Text starting with `=` as a text cell: openpyxl would otherwise store it as a formula,
    which reads back as no value, so the export would not be lossless."""
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


WRITERS: dict[str, RecordWriter] = {w.name: w for w in (JsonlWriter(), CsvWriter(), XlsxWriter())}
