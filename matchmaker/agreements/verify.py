"""Check that signed agreements and the ledger are as they were recorded.

`verify_agreement` recomputes the digest from the stored fields, checks each signature
against the public key stored with it and against the enterprise's key, and checks the
ledger entries that recorded the signatures; `verify_ledger` walks the whole hash chain.
Each problem names where it is (agreement code, signature, ledger entry number) and, when
it can tell, the field that changed and its recorded value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.agreements import canonical, ledger
from matchmaker.agreements.models import (
    Agreement,
    AgreementSignature,
    EnterpriseKey,
    LedgerEntry,
)
from matchmaker.agreements.providers import PLATFORM_ED25519, VERIFIERS
from matchmaker.fields import AgreementStatus


@dataclass(frozen=True)
class Problem:
    where: str  # "agreement ABCD-EFGH", "signature of ent-1 on ABCD-EFGH", "ledger entry #3"
    field: str | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.field}: {self.message}"
            if self.field
            else (f"{self.where}: {self.message}")
        )


@dataclass
class Report:
    subject: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, name: str | None, message: str) -> None:
        self.problems.append(Problem(where, name, message))

    def lines(self) -> list[str]:
        head = f"{'OK' if self.ok else 'TAMPERED'}: {self.subject}"
        return [head, *(f"  - {p}" for p in self.problems), *(f"  {n}" for n in self.notes)]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_entry(entry: LedgerEntry, previous: LedgerEntry | None, report: Report) -> None:
    """One entry: its hash, its link to the entry before, and its columns against its payload."""
    where = f"ledger entry #{entry.seq}"
    expected_prev = previous.entry_hash if previous is not None else ledger.GENESIS
    if previous is None and entry.seq != 1:
        report.add(where, "seq", f"entries #1 to #{entry.seq - 1} before it are missing")
    elif previous is not None and entry.seq != previous.seq + 1:
        gap = f"#{previous.seq + 1} to #{entry.seq - 1}"
        report.add(where, "seq", f"entries {gap} before it are missing (deleted)")
    if entry.prev_hash != expected_prev:
        before = f"entry #{previous.seq}" if previous is not None else "the chain's start"
        report.add(
            where,
            "prev_hash",
            f"{entry.prev_hash[:16]}… does not match the hash of {before} "
            f"({expected_prev[:16]}…): the chain is broken here",
        )
    recomputed = ledger.entry_hash(entry.prev_hash, entry.payload)
    if recomputed != entry.entry_hash:
        report.add(
            where,
            "payload",
            f"changed after it was recorded: SHA-256(prev_hash + payload) is {recomputed[:16]}…, "
            f"the recorded entry_hash is {entry.entry_hash[:16]}…",
        )
    payload = ledger.payload_of(entry)
    if payload is None:
        report.add(where, "payload", "is not a JSON object")
        return
    columns = {
        "kind": entry.kind,
        "agreement": entry.agreement_id,
        "recorded_at": canonical.timestamp(entry.created_at),
    }
    for name, value in columns.items():
        if payload.get(name) != value:
            report.add(
                where, name, f"is {_short(value)} but its payload says {_short(payload.get(name))}"
            )


def verify_ledger(db: Session) -> Report:
    """Walk the whole chain from the first entry to the newest."""
    report = Report("signing ledger")
    previous: LedgerEntry | None = None
    count = 0
    for entry in db.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)):
        check_entry(entry, previous, report)
        previous, count = entry, count + 1
    head = previous.entry_hash if previous is not None else ledger.GENESIS
    report.notes.append(f"{count} entries; head {head}")
    return report


def verify_agreement(db: Session, agreement: Agreement) -> Report:
    report = Report(f"agreement {agreement.code} ({agreement.id})")
    where = f"agreement {agreement.code}"
    entries = ledger.for_agreement(db, agreement.id)
    for entry in entries:
        previous = db.scalar(
            select(LedgerEntry).where(LedgerEntry.seq < entry.seq).order_by(LedgerEntry.seq.desc())
        )
        check_entry(entry, previous, report)
    recorded = _signature_entries(entries)
    signatures = list(
        db.scalars(
            select(AgreementSignature)
            .where(AgreementSignature.agreement_id == agreement.id)
            .order_by(AgreementSignature.signed_at)
        )
    )
    document = canonical.document(agreement)
    digest = canonical.digest_of(document)
    _check_content(agreement, document, digest, signatures, recorded, report)
    for signature in signatures:
        _check_signature(db, agreement, signature, recorded, report)
    for enterprise_id, (entry, _payload) in recorded.items():
        if not any(s.enterprise_id == enterprise_id for s in signatures):
            report.add(where, "signatures", f"the signature of {enterprise_id} recorded in "
                       f"ledger entry #{entry.seq} is missing (deleted)")  # fmt: skip
    _check_status(agreement, signatures, entries, report)
    report.notes.append(
        f"digest {digest}; {len(signatures)} signature(s); {len(entries)} ledger entries"
    )
    return report


def _signature_entries(entries: list[LedgerEntry]) -> dict[str, tuple[LedgerEntry, dict[str, Any]]]:
    found: dict[str, tuple[LedgerEntry, dict[str, Any]]] = {}
    for entry in entries:
        payload = ledger.payload_of(entry)
        if entry.kind == ledger.SIGNATURE and payload is not None:
            found.setdefault(str(payload.get("enterprise")), (entry, payload))
    return found


def _check_content(
    agreement: Agreement,
    document: dict[str, Any],
    digest: str,
    signatures: list[AgreementSignature],
    recorded: dict[str, tuple[LedgerEntry, dict[str, Any]]],
    report: Report,
) -> None:
    """The stored fields must still hash to the digest that was signed."""
    where = f"agreement {agreement.code}"
    signed = [s.digest for s in signatures] + [p.get("digest") for _e, p in recorded.values()]
    if not signed and agreement.digest is None:
        return  # nothing signed yet: drafts may change freely
    changed = False
    for entry, payload in recorded.values():
        original = payload.get("document")
        if not isinstance(original, dict):
            continue
        for name in sorted(set(document) | set(original)):
            if document.get(name) != original.get(name):
                changed = True
                report.add(
                    where,
                    name,
                    f"is {_short(document.get(name))} but {_short(original.get(name))} was "
                    f"signed (ledger entry #{entry.seq})",
                )
        break  # one recorded copy of the document is enough to name the fields
    if not changed and any(value != digest for value in signed):
        report.add(where, None, f"its content hashes to {digest[:16]}…, not to the signed digest")
    if agreement.digest is not None and agreement.digest != digest and not changed:
        report.add(where, "digest", f"{agreement.digest[:16]}… does not match its content")


def _check_signature(
    db: Session,
    agreement: Agreement,
    signature: AgreementSignature,
    recorded: dict[str, tuple[LedgerEntry, dict[str, Any]]],
    report: Report,
) -> None:
    where = f"signature of {signature.enterprise_id} on {agreement.code}"
    if signature.enterprise_id not in (agreement.firm_id, agreement.sme_id):
        report.add(where, "enterprise_id", "is not a party to the agreement")
    check = VERIFIERS.get(signature.provider)
    message = canonical.statement(
        code=agreement.code,
        digest=signature.digest,
        enterprise_id=signature.enterprise_id,
        signer_id=signature.signer_id,
        signed_at=signature.signed_at,
    )
    if check is None:
        report.add(where, "provider", f"no verifier for {signature.provider!r}")
    elif not check(signature.public_key, message, signature.signature):
        report.add(where, "signature", "does not verify with its public key: the digest, "
                   "signer, time or signature value was changed")  # fmt: skip
    if signature.provider == PLATFORM_ED25519:
        key = db.get(EnterpriseKey, signature.enterprise_id)
        if key is None:
            report.add(where, "public_key", "the enterprise has no signing key on record")
        elif key.public_key != signature.public_key:
            report.add(where, "public_key", "is not the enterprise's signing key")
    found = recorded.get(signature.enterprise_id)
    if found is None:
        report.add(where, None, "no ledger entry records this signature")
        return
    entry, payload = found
    for name, value in ledger.signature_record(signature, agreement.code).items():
        if payload.get(name) != value:
            was = _short(payload.get(name))
            report.add(
                where, name, f"is {_short(value)} but ledger entry #{entry.seq} recorded {was}"
            )


def _check_status(
    agreement: Agreement,
    signatures: list[AgreementSignature],
    entries: list[LedgerEntry],
    report: Report,
) -> None:
    where = f"agreement {agreement.code}"
    sides = {s.enterprise_id for s in signatures}
    both = {agreement.firm_id, agreement.sme_id} <= sides
    completed = any(e.kind == ledger.SIGNED for e in entries)
    if agreement.status is AgreementStatus.SIGNED and not (both and completed):
        report.add(where, "status", "is signed but the signatures or the ledger do not show it")
    elif agreement.status is not AgreementStatus.SIGNED and (both or completed):
        report.add(where, "status", f"is {agreement.status.value} but both parties signed")
    elif agreement.status is AgreementStatus.DRAFT and signatures:
        report.add(where, "status", "is draft but a party has signed it")


def verify_all(db: Session) -> list[Report]:
    """Every agreement that has a signature, then the ledger."""
    signed_ids = select(AgreementSignature.agreement_id).distinct()
    agreements = db.scalars(
        select(Agreement).where(Agreement.id.in_(signed_ids)).order_by(Agreement.created_at)
    )
    return [*(verify_agreement(db, a) for a in agreements), verify_ledger(db)]
