"""The canonical form of an agreement, of a signature statement and of ledger payloads.

Canonical JSON (`canonical_json`): UTF-8, keys sorted, no whitespace (separators "," and
":"), non-ASCII characters written as themselves (not \\u escapes), NaN and infinities
refused. Numbers are written as Python's `json` writes them (a float as its shortest
round-trip form, e.g. 500.0). Timestamps are UTC strings `YYYY-MM-DDTHH:MM:SS.ffffffZ`.

The agreement's document (`document`) holds exactly the signed fields, `SIGNED_FIELDS`,
keyed by their column names plus `"format": "matchmaker-agreement/1"`; absent values are
null and clauses keep their order. Its digest is the lower-case hex SHA-256 of the
document's canonical JSON. Status, timestamps and comments are not signed.

What an enterprise's key signs is not the bare digest but a statement binding it to the
signer and the time (`statement`): the canonical JSON of
`{"purpose": "matchmaker-agreement-signature/1", "agreement": CODE, "digest": DIGEST,
"enterprise": ENTERPRISE_ID, "signer": USER_ID, "signed_at": TIME}`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from matchmaker.agreements.models import Agreement

FORMAT = "matchmaker-agreement/1"
STATEMENT_PURPOSE = "matchmaker-agreement-signature/1"
SIGNED_FIELDS = (
    "id",
    "code",
    "version",
    "event_id",
    "meeting_id",
    "need_id",
    "profile_id",
    "firm_id",
    "firm_name",
    "sme_id",
    "sme_name",
    "subject",
    "type",
    "amount_wan",
    "term",
    "clauses",
)


def canonical_json(value: Any) -> bytes:
    text = json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _field(agreement: Agreement, name: str) -> Any:
    value = getattr(agreement, name)
    if name == "type":
        return value.value if value is not None else None
    if name == "amount_wan":
        return None if value is None else float(value)
    if name == "clauses":
        return list(value or [])
    return value


def document(agreement: Agreement) -> dict[str, Any]:
    """The signed fields of the agreement as stored now."""
    values = {name: _field(agreement, name) for name in SIGNED_FIELDS}
    return {"format": FORMAT, **values}


def digest_of(doc: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(doc))


def digest(agreement: Agreement) -> str:
    return digest_of(document(agreement))


def statement(
    *, code: str, digest: str, enterprise_id: str, signer_id: str | None, signed_at: datetime
) -> bytes:
    """The bytes an enterprise's key signs."""
    return canonical_json(
        {
            "purpose": STATEMENT_PURPOSE,
            "agreement": code,
            "digest": digest,
            "enterprise": enterprise_id,
            "signer": signer_id,
            "signed_at": timestamp(signed_at),
        }
    )
