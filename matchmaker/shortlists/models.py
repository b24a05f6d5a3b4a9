"""A firm's decision on one candidate of one need."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.fields import Decision, DismissReason


class CandidateDecision(Base):
    """Shortlisted or dismissed; the score at decision time is kept as ranker feedback."""

    __tablename__ = "candidate_decisions"

    need_id: Mapped[str] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True
    )
    profile_id: Mapped[str] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    decision: Mapped[Decision] = mapped_column(str_enum(Decision))
    dismiss_reason: Mapped[DismissReason | None] = mapped_column(str_enum(DismissReason))
    note: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
