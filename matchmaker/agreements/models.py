"""Cooperation agreements, their approvals, comments and signatures, and the signing ledger.

The ledger is append-only: rows are never updated or deleted by the application (the ORM
refuses), and each entry carries the hash of the one before it, so an edit made behind the
application's back shows up in `matchmaker verify`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.fields import AgreementStatus, AgreementType


class Agreement(Base):
    """A cooperation agreement between a large firm and an SME, drafted after they met."""

    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # printed on the certificate
    event_id: Mapped[str | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    meeting_id: Mapped[str | None] = mapped_column(
        ForeignKey("event_meetings.id", ondelete="SET NULL")
    )
    need_id: Mapped[str | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    profile_id: Mapped[str | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"))
    # Signed records outlive nothing they name: an enterprise with agreements cannot be deleted.
    firm_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    sme_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    # The parties' names as drafted: a later rename does not change what was signed.
    firm_name: Mapped[str] = mapped_column(String(200))
    sme_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    type: Mapped[AgreementType] = mapped_column(str_enum(AgreementType))
    amount_wan: Mapped[float | None] = mapped_column(Float)  # 万元
    term: Mapped[str | None] = mapped_column(String(200))
    clauses: Mapped[list[str]] = mapped_column(JSON, default=list)
    segment: Mapped[str | None] = mapped_column(String(64))  # chain segment, for the wall
    status: Mapped[AgreementStatus] = mapped_column(
        str_enum(AgreementStatus), default=AgreementStatus.DRAFT
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    digest: Mapped[str | None] = mapped_column(String(64))  # set by the first signature
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgreementApproval(Base):
    """One side's approval of one version; an edit makes a new version nobody approved yet."""

    __tablename__ = "agreement_approvals"
    __table_args__ = (UniqueConstraint("agreement_id", "enterprise_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgreementComment(Base):
    __tablename__ = "agreement_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[str | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer)  # the version the comment was written on
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EnterpriseKey(Base):
    """An enterprise's Ed25519 key pair; the private half is encrypted with the app secret."""

    __tablename__ = "enterprise_keys"

    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True
    )
    algorithm: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(128))  # base64 of the raw key
    private_key: Mapped[str] = mapped_column(Text)  # see providers.seal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgreementSignature(Base):
    """One side's signature over the agreement's digest, as made by a signing provider."""

    __tablename__ = "agreement_signatures"
    __table_args__ = (UniqueConstraint("agreement_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    signer_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)  # base64
    public_key: Mapped[str] = mapped_column(Text)  # base64, as used when signing
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """One append-only entry: entry_hash = SHA-256(prev_hash + payload), see ledger.py."""

    __tablename__ = "agreement_ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    agreement_id: Mapped[str] = mapped_column(String(64), index=True)  # no FK: outlives rows
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    # Unique: two writers appending at once cannot both extend the same entry (no forks).
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _append_only(_mapper: Any, _connection: Any, target: LedgerEntry) -> None:
    raise RuntimeError(f"ledger entry #{target.seq} is append-only: it cannot change or go")


event.listen(LedgerEntry, "before_update", _append_only)
event.listen(LedgerEntry, "before_delete", _append_only)
