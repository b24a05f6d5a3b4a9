"""The append-only, hash-chained signing ledger.

Entry n stores `prev_hash` = entry n-1's `entry_hash` (64 zeros for the first entry) and
`entry_hash` = hex SHA-256 of the ASCII `prev_hash` followed by the UTF-8 canonical JSON
`payload`. The payload repeats the entry's kind, agreement id and time, so none of the
columns can change unseen. Sequence numbers are consecutive from 1, assigned here rather
than by the database, so that a gap always means a deleted entry.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.agreements.canonical import canonical_json, sha256_hex, timestamp
from matchmaker.agreements.models import AgreementSignature, LedgerEntry

GENESIS = "0" * 64
SIGNATURE = "signature"  # one side signed: the payload holds the signed document
SIGNED = "signed"  # the second signature completed the agreement


def entry_hash(prev_hash: str, payload: str) -> str:
    return sha256_hex(prev_hash.encode("ascii") + payload.encode("utf-8"))


def last(db: Session) -> LedgerEntry | None:
    return db.scalar(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1))


def append(
    db: Session, *, kind: str, agreement_id: str, at: datetime, payload: dict[str, Any]
) -> LedgerEntry:
    """Add an entry after the newest one (flushed, not committed).

    Two writers racing for the same place collide on the unique seq and prev_hash; the
    loser's transaction fails and its caller retries.
    """
    head = last(db)
    prev_hash = head.entry_hash if head is not None else GENESIS
    body = {**payload, "kind": kind, "agreement": agreement_id, "recorded_at": timestamp(at)}
    text = canonical_json(body).decode("utf-8")
    entry = LedgerEntry(
        seq=(head.seq + 1) if head is not None else 1,
        kind=kind,
        agreement_id=agreement_id,
        payload=text,
        prev_hash=prev_hash,
        entry_hash=entry_hash(prev_hash, text),
        created_at=at,
    )
    db.add(entry)
    db.flush()
    return entry


def for_agreement(db: Session, agreement_id: str) -> list[LedgerEntry]:
    return list(
        db.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.agreement_id == agreement_id)
            .order_by(LedgerEntry.seq)
        )
    )


def payload_of(entry: LedgerEntry) -> dict[str, Any] | None:
    """The entry's payload as a dict, or None when it is not a JSON object."""
    try:
        value = json.loads(entry.payload)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def signature_record(signature: AgreementSignature, code: str) -> dict[str, object]:
    """The signature's fields as the ledger keeps them (and as verify compares them)."""
    return {
        "code": code,
        "digest": signature.digest,
        "enterprise": signature.enterprise_id,
        "signer": signature.signer_id,
        "signer_name": signature.signer_name,
        "provider": signature.provider,
        "public_key": signature.public_key,
        "signature": signature.signature,
        "signed_at": timestamp(signature.signed_at),
    }
