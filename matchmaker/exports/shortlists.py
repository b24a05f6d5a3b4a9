"""The shortlists-and-schedule export as plain data, and the columns every format shares.

`matchmaker.events.exports` fills these from the database (applying the privacy rule to
contacts); the exporters only lay them out. Headers are Chinese, the organisers' language;
docs/exports.md gives them in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchmaker.exports.base import EventHeader


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class MeetingSlot:
    """Where and when a placed meeting happens; numbers as people read them (from 1)."""

    round: int
    table: int
    time: str  # "09:30-09:50", Shanghai time


@dataclass(frozen=True)
class ShortlistRow:
    rank: int
    score: float
    band: str  # 强匹配, 较匹配 or 一般
    reasons: tuple[str, ...]  # Chinese sentences
    profile: str
    enterprise: str
    district: str
    certifications: tuple[str, ...]
    meeting: MeetingSlot | None = None  # None: no meeting placed
    contact: Contact | None = None  # None: the exporting user may not see it


@dataclass(frozen=True)
class NeedSection:
    need_id: str
    title: str
    firm: str
    rows: tuple[ShortlistRow, ...]


@dataclass(frozen=True)
class ScheduleRow:
    """One placed meeting of the event, for the schedule sheet."""

    meeting: MeetingSlot
    need_id: str
    need: str
    firm: str
    profile: str
    enterprise: str


@dataclass(frozen=True)
class ShortlistExport:
    event: EventHeader
    needs: tuple[NeedSection, ...]
    schedule: tuple[ScheduleRow, ...] = field(default=())


ROW_HEADERS = (
    "排名", "匹配分", "匹配等级", "推荐理由", "能力画像", "企业", "所在区", "资质认证",
    "轮次", "桌号", "时间", "联系人", "联系电话", "电子邮箱",
)  # fmt: skip
SCHEDULE_HEADERS = ("时间", "轮次", "桌号", "需求", "大企业", "能力画像", "中小企业")
SUMMARY_HEADERS = ("序号", "需求", "大企业", "入围企业数", "已排会议数")


def score_value(score: float) -> float | int:
    """Scores read as whole numbers when they are (75, not 75.0)."""
    return int(score) if float(score).is_integer() else round(score, 1)


def row_cells(row: ShortlistRow, reason_separator: str) -> list[object]:
    """One shortlist entry in `ROW_HEADERS` order; empty text where nothing is known."""
    meeting, contact = row.meeting, row.contact
    return [
        row.rank,
        score_value(row.score),
        row.band,
        reason_separator.join(row.reasons),
        row.profile,
        row.enterprise,
        row.district,
        "、".join(row.certifications),
        meeting.round if meeting else "",
        meeting.table if meeting else "",
        meeting.time if meeting else "",
        contact.name if contact else "",
        contact.phone if contact else "",
        contact.email if contact else "",
    ]


def schedule_cells(row: ScheduleRow) -> list[object]:
    m = row.meeting
    return [m.time, m.round, m.table, row.need, row.firm, row.profile, row.enterprise]


def meetings_of(data: ShortlistExport, section: NeedSection) -> int:
    """Placed meetings of a need, shortlisted or not."""
    return sum(1 for row in data.schedule if row.need_id == section.need_id)


def summary_rows(data: ShortlistExport) -> list[list[object]]:
    return [
        [number, section.title, section.firm, len(section.rows), meetings_of(data, section)]
        for number, section in enumerate(data.needs, start=1)
    ]


def facts(data: ShortlistExport) -> list[tuple[str, object]]:
    """The summary's label-value lines."""
    event = data.event
    return [
        ("活动", event.title),
        ("时间", f"{event.local_start:%Y-%m-%d %H:%M}"),
        ("地点", event.place),
        ("需求数", len(data.needs)),
        ("入围企业数", sum(len(section.rows) for section in data.needs)),
        ("已排会议数", len(data.schedule)),
    ]
