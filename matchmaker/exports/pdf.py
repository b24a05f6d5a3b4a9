"""PDF exporters: a printable page per need and the signing run-sheet, A4 landscape.

Chinese is set in reportlab's built-in CID font STSong-Light: nothing is embedded, every
PDF reader maps it to a local Song/Ming typeface, and the text stays extractable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from matchmaker.exports import runsheet as rs
from matchmaker.exports import shortlists as sl
from matchmaker.exports.base import EventHeader, export_filename

FONT = "STSong-Light"
CONTENT_TYPE = "application/pdf"
MARGIN = 36  # points, half an inch
SHORTLIST_WIDTHS = (30, 150, 55, 250, 85, 85, 115)  # sums to the 770 points between margins
SCHEDULE_WIDTHS = (80, 40, 40, 210, 130, 140, 130)
RUN_SHEET_WIDTHS = (30, 110, 110, 160, 70, 65, 70, 70, 85)


class _Styles:
    def __init__(self) -> None:
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        base = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=11, wordWrap="CJK")
        self.cell = base
        self.head = ParagraphStyle("head", parent=base, fontSize=9)
        self.title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=4)
        self.line = ParagraphStyle("line", parent=base, fontSize=10, leading=14, spaceAfter=2)
        self.note = ParagraphStyle("note", parent=base, fontSize=10, leading=14, spaceBefore=12)


def _p(text: object, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int], s: _Styles
) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    cells = [[_p(h, s.head) for h in headers]] + [[_p(c, s.cell) for c in row] for row in rows]
    table = Table(cells, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _document(story: list[Any], footer: str) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, MARGIN / 2, footer)
        canvas.drawRightString(doc.pagesize[0] - MARGIN, MARGIN / 2, f"第 {doc.page} 页")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN, title=footer, author="matchmaker",
    )  # fmt: skip
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _event_line(event: EventHeader) -> str:
    return f"活动：{event.title}　时间：{event.local_start:%Y-%m-%d %H:%M}　地点：{event.place}"


def _shortlist_cells(row: sl.ShortlistRow) -> list[object]:
    m, c = row.meeting, row.contact
    return [
        row.rank,
        f"{row.enterprise}\n{row.profile}\n{row.district}",
        f"{sl.score_value(row.score)}\n{row.band}",
        "\n".join(row.reasons),
        "、".join(row.certifications),
        f"第{m.round}轮　{m.table}号桌\n{m.time}" if m else "未安排",
        f"{c.name}\n{c.phone}\n{c.email}" if c else "—",
    ]


def _run_sheet_cells(number: int, row: rs.RunSheetRow, event: EventHeader) -> list[object]:
    cells = rs.row_cells(number, row, event)
    if row.amount_wan is not None:
        cells[rs.HEADERS.index("金额（万元）")] = f"{row.amount_wan:,.2f}"
    return cells


SHORTLIST_HEADERS = ("排名", "企业 / 能力画像", "匹配", "推荐理由", "资质认证", "会议", "联系方式")


class ShortlistsPdf:
    """A page (or more) per need with its shortlist, then the meeting schedule."""

    identifier = "shortlists.pdf"
    extension = ".pdf"
    content_type = CONTENT_TYPE

    def filename(self, event: EventHeader) -> str:
        return export_filename(event, "推荐名单", self.extension)

    def render(self, data: sl.ShortlistExport) -> bytes:
        from reportlab.platypus import PageBreak

        s = _Styles()
        story: list[Any] = []
        for section in data.needs:
            story += [_p(f"需求：{section.title}", s.title), _p(f"大企业：{section.firm}", s.line)]
            story.append(_p(_event_line(data.event), s.line))
            if section.rows:
                rows = [_shortlist_cells(row) for row in section.rows]
                story.append(_table(SHORTLIST_HEADERS, rows, SHORTLIST_WIDTHS, s))
            else:
                story.append(_p("暂无入围企业。", s.note))
            story.append(PageBreak())
        story += [_p("会议日程", s.title), _p(_event_line(data.event), s.line)]
        if data.schedule:
            rows = [sl.schedule_cells(row) for row in data.schedule]
            story.append(_table(sl.SCHEDULE_HEADERS, rows, SCHEDULE_WIDTHS, s))
        else:
            story.append(_p("暂无已安排的会议。", s.note))
        return _document(story, f"{data.event.title}　推荐名单与日程")


class RunSheetPdf:
    """签约清单 for the stage manager: agreements in signing order and the total amount."""

    identifier = "runsheet.pdf"
    extension = ".pdf"
    content_type = CONTENT_TYPE

    def filename(self, event: EventHeader) -> str:
        return export_filename(event, "签约清单", self.extension)

    def render(self, data: rs.RunSheet) -> bytes:
        s = _Styles()
        event = data.event
        story: list[Any] = [_p(f"{event.title} 签约清单", s.title), _p(_event_line(event), s.line)]
        if data.rows:
            rows = [_run_sheet_cells(n, row, event) for n, row in enumerate(data.rows, start=1)]
            rows.append(["合计", "", "", f"共 {len(data.rows)} 项", "", f"{data.total_wan:,.2f}"])
            rows[-1] += [""] * (len(rs.HEADERS) - len(rows[-1]))
            story.append(_table(rs.HEADERS, rows, RUN_SHEET_WIDTHS, s))
        else:
            story.append(_p("暂无待签协议。", s.note))
        return _document(story, f"{event.title}　签约清单")
