"""Needs: what a large firm asks for, with a draft → open → closed lifecycle."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, Float, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, utcnow
from matchmaker.fields import CloseReason, NeedStatus, NeedType


def _values(enum: type[NeedType] | type[NeedStatus] | type[CloseReason]) -> list[str]:
    return [member.value for member in enum]


class Need(Base):
    __tablename__ = "needs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[NeedType] = mapped_column(
        Enum(NeedType, native_enum=False, length=16, values_callable=_values), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    requirements: Mapped[list[str]] = mapped_column(JSON, default=list)
    certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_min: Mapped[float | None] = mapped_column(Float)
    budget_max: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[date | None] = mapped_column(Date)
    segments: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    public_summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[NeedStatus] = mapped_column(
        Enum(NeedStatus, native_enum=False, length=16, values_callable=_values),
        default=NeedStatus.DRAFT,
    )
    close_reason: Mapped[CloseReason | None] = mapped_column(
        Enum(CloseReason, native_enum=False, length=16, values_callable=_values)
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_needs_status_deadline", "status", "deadline"),)
