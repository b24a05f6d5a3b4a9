"""XLSX exporters: the shortlists workbook (summary, one sheet per need, schedule) and the
signing run-sheet. Every text cell goes through `safe_cell`, so no value runs as a formula."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from matchmaker.exports import runsheet as rs
from matchmaker.exports import shortlists as sl
from matchmaker.exports.base import EventHeader, export_filename, safe_cell

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_NAME = 31  # Excel's limit
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_WIDE = 40  # columns of free text (reasons, titles)


def sheet_name(base: str, taken: set[str]) -> str:
    """A valid, unique sheet name: forbidden characters replaced, cut to 31 characters."""
    name = _SHEET_UNSAFE.sub("_", base).strip("'")[:MAX_SHEET_NAME] or "Sheet"
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f"~{n}"
        candidate, n = name[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _append(sheet: Any, cells: Iterable[object]) -> None:
    sheet.append([safe_cell(cell) for cell in cells])


def _table(
    sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[object]], widths: Sequence[int]
) -> None:
    """A header row in bold, frozen, then the rows with wrapped text and set column widths."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    _append(sheet, headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(sheet, row)
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def _facts(sheet: Any, lines: Iterable[tuple[str, object]]) -> None:
    from openpyxl.styles import Font

    for label, value in lines:
        _append(sheet, [label, value])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])


def _save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ROW_WIDTHS = (6, 8, 10, _WIDE, 28, 28, 12, 24, 6, 6, 13, 12, 16, 24)
SCHEDULE_WIDTHS = (13, 6, 6, _WIDE, 28, 28, 28)
SUMMARY_WIDTHS = (12, _WIDE, 28, 12, 12)


class ShortlistsXlsx:
    """概览 (the event and a line per need), one sheet per need, and 日程 (placed meetings)."""

    identifier = "shortlists.xlsx"
    extension = ".xlsx"
    content_type = CONTENT_TYPE

    def filename(self, event: EventHeader) -> str:
        return export_filename(event, "推荐名单", self.extension)

    def render(self, data: sl.ShortlistExport) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook()
        taken: set[str] = set()
        summary = workbook.active
        summary.title = sheet_name("概览", taken)
        _facts(summary, sl.facts(data))
        _table(summary, sl.SUMMARY_HEADERS, sl.summary_rows(data), SUMMARY_WIDTHS)
        for number, section in enumerate(data.needs, start=1):
            sheet = workbook.create_sheet(sheet_name(f"{number} {section.title}", taken))
            _facts(sheet, [("需求", section.title), ("大企业", section.firm)])
            rows = (sl.row_cells(row, "\n") for row in section.rows)
            _table(sheet, sl.ROW_HEADERS, rows, ROW_WIDTHS)
        schedule = workbook.create_sheet(sheet_name("日程", taken))
        rows = (sl.schedule_cells(row) for row in data.schedule)
        _table(schedule, sl.SCHEDULE_HEADERS, rows, SCHEDULE_WIDTHS)
        return _save(workbook)


RUN_SHEET_WIDTHS = (6, 28, 28, _WIDE, 16, 14, 14, 14, 20)


class RunSheetXlsx:
    """签约清单: the event, then one row per agreement in signing order and a total."""

    identifier = "runsheet.xlsx"
    extension = ".xlsx"
    content_type = CONTENT_TYPE

    def filename(self, event: EventHeader) -> str:
        return export_filename(event, "签约清单", self.extension)

    def render(self, data: rs.RunSheet) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "签约清单"
        event = data.event
        _facts(
            sheet,
            [("活动", event.title), ("时间", f"{event.local_start:%Y-%m-%d %H:%M}"),
             ("地点", event.place), ("签约项目数", len(data.rows))],
        )  # fmt: skip
        rows = [rs.row_cells(n, row, event) for n, row in enumerate(data.rows, start=1)]
        _table(sheet, rs.HEADERS, rows, RUN_SHEET_WIDTHS)
        _append(sheet, ["合计", "", "", "", "", data.total_wan])
        amount_column = rs.HEADERS.index("金额（万元）") + 1
        for row in sheet.iter_rows(min_row=sheet.max_row - len(rows), min_col=amount_column,
                                   max_col=amount_column):  # fmt: skip
            row[0].number_format = "#,##0.00"
        return _save(workbook)
