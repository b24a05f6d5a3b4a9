"""An event, the needs and SMEs taking part, their shortlists and their meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.fields import EventStatus, MeetingOutcome, MeetingStatus, Participation, Side


class Event(Base):
    """A 产业链对接会: one day (or part of one) of timed one-to-one meetings at tables."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    chains: Mapped[list[str]] = mapped_column(JSON, default=list)  # chain ids in focus
    segments: Mapped[list[str]] = mapped_column(JSON, default=list)  # segment ids in focus
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str | None] = mapped_column(String(300))  # None: online only
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    slots: Mapped[int] = mapped_column(Integer, default=9)  # meeting rounds in the day
    tables: Mapped[int] = mapped_column(Integer, default=10)
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)  # most SMEs that may take part
    shortlist_size: Mapped[int] = mapped_column(Integer, default=5)  # SMEs per need
    sme_capacity: Mapped[int] = mapped_column(Integer, default=3)  # meetings per SME
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus), default=EventStatus.DRAFT)
    organiser_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EventNeed(Base):
    """A large firm's need taking part in an event."""

    __tablename__ = "event_needs"

    event_id: Mapped[str] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    need_id: Mapped[str] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[Participation] = mapped_column(str_enum(Participation))
    # Slots the firm's people for this need cannot attend; all of a firm's needs count.
    unavailable: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EventSME(Base):
    """An SME taking part, with the profile it brings and the slots it cannot attend."""

    __tablename__ = "event_smes"

    event_id: Mapped[str] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True
    )
    profile_id: Mapped[str | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"))
    status: Mapped[Participation] = mapped_column(str_enum(Participation))
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: the event's sme_capacity
    unavailable: Mapped[list[int]] = mapped_column(JSON, default=list)  # slot numbers, from 0
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShortlistEntry(Base):
    """One SME profile on one need's shortlist for the event, with the engine's reasons."""

    __tablename__ = "event_shortlist"

    event_id: Mapped[str] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    need_id: Mapped[str] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True
    )
    profile_id: Mapped[str] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)  # explain.Reason as dicts
    rank: Mapped[int] = mapped_column(Integer, default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # the organiser kept it
    removed: Mapped[bool] = mapped_column(Boolean, default=False)  # the organiser removed it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Meeting(Base):
    """A one-to-one meeting between a need's firm and an SME profile at the event."""

    __tablename__ = "event_meetings"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    requested_by: Mapped[Side] = mapped_column(str_enum(Side))
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus))
    message: Mapped[str | None] = mapped_column(Text)
    slot: Mapped[int | None] = mapped_column(Integer)  # None: not placed
    table: Mapped[int | None] = mapped_column(Integer)
    unplaced_reason: Mapped[str | None] = mapped_column(Text)
    firm_rating: Mapped[int | None] = mapped_column(Integer)  # 1-5, after the meeting
    firm_outcome: Mapped[MeetingOutcome | None] = mapped_column(str_enum(MeetingOutcome))
    sme_rating: Mapped[int | None] = mapped_column(Integer)
    sme_outcome: Mapped[MeetingOutcome | None] = mapped_column(str_enum(MeetingOutcome))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
