"""The organiser's numbers for one event: participation, meetings, agreements, by segment
and by day, ready to draw as charts and to export."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.agreements.models import Agreement
from matchmaker.events.models import Event, EventNeed, EventSME, Meeting
from matchmaker.fields import AgreementStatus, MeetingStatus, Participation
from matchmaker.matching.chain import ChainGraph
from matchmaker.needs.models import Need

UNPLACED = "—"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class SegmentRow:
    segment: str  # display name
    meetings: int = 0
    held: int = 0
    signed: int = 0
    amount: float = 0.0


@dataclass
class Board:
    needs: int
    smes: int
    requested: int
    accepted: int
    held: int
    signed: int
    amount: float  # 万元, signed agreements
    by_segment: list[SegmentRow] = field(default_factory=list)
    by_day: list[tuple[dt.date, int, int]] = field(default_factory=list)  # meetings, signings


def _segment_names(
    graph: ChainGraph, needs: list[Need], placed: dict[str, list[str]], english: bool
) -> dict[str, str]:
    """Each need's first asked segment by name (chosen, else placed by the engine)."""
    names = {}
    for need in needs:
        ids = need.segments or placed.get(need.id, [])
        segment = graph.segments.get(ids[0]) if ids else None
        names[need.id] = (segment.name_en if english else segment.name) if segment else UNPLACED
    return names


def board(
    db: Session,
    event: Event,
    graph: ChainGraph,
    placed: dict[str, list[str]] | None = None,
    locale: str = "zh_Hans",
) -> Board:
    taking_part = Participation.ACCEPTED
    need_ids = db.scalars(select(EventNeed.need_id).where(
        EventNeed.event_id == event.id, EventNeed.status == taking_part)).all()  # fmt: skip
    smes = db.scalars(select(EventSME.enterprise_id).where(
        EventSME.event_id == event.id, EventSME.status == taking_part)).all()  # fmt: skip
    meetings = db.scalars(select(Meeting).where(Meeting.event_id == event.id)).all()
    agreements = db.scalars(
        select(Agreement).where(
            Agreement.event_id == event.id, Agreement.status == AgreementStatus.SIGNED
        )
    ).all()
    involved = {m.need_id for m in meetings} | {a.need_id for a in agreements if a.need_id}
    needs = list(db.scalars(select(Need).where(Need.id.in_(involved | set(need_ids)))))
    segment_of = _segment_names(graph, needs, placed or {}, english=locale == "en")
    statuses = Counter(m.status for m in meetings)
    held = statuses[MeetingStatus.HELD]
    rows: dict[str, SegmentRow] = {}

    def row(need_id: str | None) -> SegmentRow:
        name = segment_of.get(need_id or "", UNPLACED)
        return rows.setdefault(name, SegmentRow(name))

    days: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for meeting in meetings:
        row(meeting.need_id).meetings += 1
        row(meeting.need_id).held += meeting.status is MeetingStatus.HELD
        days[meeting.created_at.astimezone(SHANGHAI).date()][0] += 1
    for agreement in agreements:
        row(agreement.need_id).signed += 1
        row(agreement.need_id).amount += agreement.amount_wan or 0.0
        when = agreement.signed_at or agreement.updated_at
        days[when.astimezone(SHANGHAI).date()][1] += 1
    return Board(
        needs=len(need_ids),
        smes=len(smes),
        requested=len(meetings),
        accepted=statuses[MeetingStatus.ACCEPTED] + held,
        held=held,
        signed=len(agreements),
        amount=sum(a.amount_wan or 0.0 for a in agreements),
        by_segment=sorted(rows.values(), key=lambda r: (-r.meetings, -r.signed, r.segment)),
        by_day=[(day, counts[0], counts[1]) for day, counts in sorted(days.items())],
    )


def workbook(data: Board, title: str) -> bytes:
    """The dashboard as XLSX: totals, by segment and by day (numbers stay numbers)."""
    book = Workbook()
    totals = book.active
    totals.title = "总览 Summary"
    totals.append([title])
    for label, value in (
        ("参会需求 Needs", data.needs), ("参会中小企业 SMEs", data.smes),
        ("洽谈申请 Meetings requested", data.requested), ("已接受 Accepted", data.accepted),
        ("已举行 Held", data.held), ("已签约 Agreements signed", data.signed),
        ("签约金额（万元） Amount signed (10k CNY)", data.amount),
    ):  # fmt: skip
        totals.append([label, value])
    segments = book.create_sheet("按环节 By segment")
    segments.append(["产业链环节 Segment", "洽谈 Meetings", "举行 Held", "签约 Signed",
                     "金额（万元） Amount"])  # fmt: skip
    for row in data.by_segment:
        segments.append([row.segment, row.meetings, row.held, row.signed, row.amount])
    days = book.create_sheet("按日期 By day")
    days.append(["日期 Date", "洽谈 Meetings", "签约 Signings"])
    for day, meetings, signings in data.by_day:
        days.append([day, meetings, signings])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
