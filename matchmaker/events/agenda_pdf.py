"""A personal agenda as a printable PDF (reportlab), Chinese included.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1): PDF readers bring
the glyphs, so no font file ships with the project.
"""

from __future__ import annotations

import functools
import io
from datetime import datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from matchmaker.events.agenda import Agenda, AgendaEntry
from matchmaker.i18n import N_, TIMEZONE, format_day, format_moment, gettext

FONT = "STSong-Light"
CONTENT_TYPE = "application/pdf"


@functools.cache
def _font() -> str:
    """Register the CID font once, on first use rather than at import."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=20, spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.grey)
    return title, body, small


def render(agenda: Agenda, *, locale: str, now: datetime) -> bytes:
    def _(message: str, **values: object) -> str:
        return gettext(locale, message, **values)

    title, body, small = _styles()
    event = agenda.event
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{event.title} · {agenda.enterprise.name}",
        author="matchmaker",
    )
    where = event.venue or _(N_("Online"))
    story = [
        Paragraph(escape(event.title), title),
        Paragraph(escape(f"{format_day(_local_day(event.starts_at), locale)} | {where}"), body),
        Paragraph(escape(_(N_("Agenda of %(name)s"), name=agenda.enterprise.name)), body),
        Spacer(1, 5 * mm),
    ]
    header = [_(N_("Time")), _(N_("Table")), _(N_("Counterpart")), _(N_("Topic")), _(N_("Contact"))]
    rows: list[list[object]] = [[_paragraph(text, body) for text in header]]
    for entry in agenda.entries:
        rows.append([_paragraph(text, body) for text in _cells(entry, locale)])
    if len(rows) == 1:
        story.append(Paragraph(escape(_(N_("No agreed meetings yet."))), body))
    else:
        table = Table(rows, colWidths=[28 * mm, 14 * mm, 45 * mm, 58 * mm, 35 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    story += [
        Spacer(1, 4 * mm),
        Paragraph(escape(_(N_("Created %(moment)s"), moment=format_moment(now, locale))), small),
    ]
    document.build(story)
    return buffer.getvalue()


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _local_day(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(TIMEZONE))


def _cells(entry: AgendaEntry, locale: str) -> list[str]:
    meeting = entry.view.meeting
    if entry.start is not None and entry.end is not None and meeting.table is not None:
        zone = ZoneInfo(TIMEZONE)
        time = f"{entry.start.astimezone(zone):%H:%M}-{entry.end.astimezone(zone):%H:%M}"
        table = str(meeting.table + 1)
    else:
        time, table = gettext(locale, N_("Not scheduled")), "–"
    topic = f"{entry.view.need.title}\n{entry.view.profile.title}"  # CID fonts lack ↔
    contact = entry.contact
    reach = (
        "\n".join(x for x in (contact.name, contact.phone, contact.email) if x) if contact else ""
    )
    return [time, table, entry.counterpart.name, topic, reach]
