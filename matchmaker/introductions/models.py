"""One introduction per need and profile, whichever side started it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.fields import IntroductionOrigin, IntroductionStatus


class Introduction(Base):
    """An SME's answer to a need or a firm's invitation to an SME, and its outcome.

    Keeping both in one row per (need, profile) means an answer and an invitation for the
    same pair meet: the second one accepts the first instead of starting a parallel thread.
    """

    __tablename__ = "introductions"
    __table_args__ = (UniqueConstraint("need_id", "profile_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[str] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    origin: Mapped[IntroductionOrigin] = mapped_column(str_enum(IntroductionOrigin))
    status: Mapped[IntroductionStatus] = mapped_column(str_enum(IntroductionStatus), index=True)
    message: Mapped[str] = mapped_column(Text)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
