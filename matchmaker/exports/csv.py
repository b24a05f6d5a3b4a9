"""CSV exporter: one row per shortlist entry, UTF-8 with a BOM so Excel shows Chinese."""

from __future__ import annotations

import csv
import io

from matchmaker.exports import shortlists as sl
from matchmaker.exports.base import EventHeader, export_filename, safe_cell

HEADERS = ("需求编号", "需求", "大企业", *sl.ROW_HEADERS)


class ShortlistsCsv:
    identifier = "shortlists.csv"
    extension = ".csv"
    content_type = "text/csv; charset=utf-8"

    def filename(self, event: EventHeader) -> str:
        return export_filename(event, "推荐名单", self.extension)

    def render(self, data: sl.ShortlistExport) -> bytes:
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(HEADERS)
        for section in data.needs:
            for row in section.rows:
                cells = [section.need_id, section.title, section.firm, *sl.row_cells(row, "；")]
                writer.writerow([safe_cell(cell) for cell in cells])
        return text.getvalue().encode("utf-8-sig")
