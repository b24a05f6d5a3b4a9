"""The signing ledger's hash chain, its canonical JSON, and the platform signing provider."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from matchmaker import migrate
from matchmaker.agreements import ledger
from matchmaker.agreements.canonical import canonical_json, statement, timestamp
from matchmaker.agreements.codes import new_code, normalise_code
from matchmaker.agreements.models import LedgerEntry
from matchmaker.agreements.providers import (
    MemoryKeyStore,
    PlatformEd25519Provider,
    ed25519_verify,
)
from matchmaker.agreements.verify import Problem, verify_ledger
from matchmaker.db import Database
from matchmaker.errors import InvalidState

SECRET = "unit-test-secret-that-is-long-enough-0123456789"
AT = dt.datetime(2027, 3, 18, 2, 15, 30, 123456, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    database = Database(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    migrate.upgrade(database)
    with database.session() as session:
        yield session
    database.dispose()


def _chain(db: Session, count: int) -> list[LedgerEntry]:
    entries = [
        ledger.append(db, kind="signature", agreement_id=f"agr-{n}", at=AT, payload={"n": n})
        for n in range(1, count + 1)
    ]
    db.commit()
    return entries


def test_canonical_json_sorts_keys_without_spaces_and_keeps_chinese() -> None:
    value = {"b": [1, 2.5], "a": "上海澄芯", "c": None}
    assert canonical_json(value) == '{"a":"上海澄芯","b":[1,2.5],"c":null}'.encode()


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"amount": float("nan")})


def test_timestamps_are_utc_with_microseconds() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert timestamp(AT.astimezone(shanghai)) == "2027-03-18T02:15:30.123456Z"


def test_entry_hash_is_sha256_of_prev_hash_then_payload() -> None:
    payload = '{"kind":"signature"}'
    expected = hashlib.sha256((ledger.GENESIS + payload).encode()).hexdigest()
    assert ledger.entry_hash(ledger.GENESIS, payload) == expected


def test_entries_link_each_to_the_one_before(db: Session) -> None:
    first, second, third = _chain(db, 3)
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == ledger.GENESIS
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert third.entry_hash == ledger.entry_hash(second.entry_hash, third.payload)


def test_payload_repeats_kind_agreement_and_time(db: Session) -> None:
    (entry,) = _chain(db, 1)
    assert ledger.payload_of(entry) == {
        "n": 1,
        "kind": "signature",
        "agreement": "agr-1",
        "recorded_at": "2027-03-18T02:15:30.123456Z",
    }


def test_an_intact_chain_verifies(db: Session) -> None:
    entries = _chain(db, 3)
    report = verify_ledger(db)
    assert report.problems == []
    assert report.notes == [f"3 entries; head {entries[-1].entry_hash}"]


def test_an_edited_payload_is_caught_at_its_entry(db: Session) -> None:
    _chain(db, 3)
    db.execute(
        text("UPDATE agreement_ledger SET payload = replace(payload, :old, :new)"),
        {"old": '"n":2', "new": '"n":9'},
    )
    db.commit()
    problems = verify_ledger(db).problems
    assert [(p.where, p.field) for p in problems] == [("ledger entry #2", "payload")]
    assert "changed after it was recorded" in problems[0].message


def test_a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(db: Session) -> None:
    _chain(db, 3)
    forged = (
        '{"agreement":"agr-2","kind":"signature","n":9,"recorded_at":"2027-03-18T02:15:30.123456Z"}'
    )
    first = db.get(LedgerEntry, 1)
    assert first is not None
    db.execute(
        update(LedgerEntry)
        .where(LedgerEntry.seq == 2)
        .values(payload=forged, entry_hash=ledger.entry_hash(first.entry_hash, forged))
        .execution_options(synchronize_session=False)
    )
    db.commit()
    problems = verify_ledger(db).problems
    assert [(p.where, p.field) for p in problems] == [("ledger entry #3", "prev_hash")]


def test_a_deleted_entry_is_caught(db: Session) -> None:
    _chain(db, 3)
    db.execute(
        delete(LedgerEntry).where(LedgerEntry.seq == 2).execution_options(synchronize_session=False)
    )
    db.commit()
    problems = verify_ledger(db).problems
    assert [(p.where, p.field) for p in problems] == [
        ("ledger entry #3", "seq"),
        ("ledger entry #3", "prev_hash"),
    ]
    assert "#2 to #2" in problems[0].message


def test_a_changed_column_is_caught_against_the_payload(db: Session) -> None:
    _chain(db, 2)
    db.execute(text("UPDATE agreement_ledger SET agreement_id = 'agr-x' WHERE seq = 1"))
    db.commit()
    assert verify_ledger(db).problems == [
        Problem("ledger entry #1", "agreement", "is 'agr-x' but its payload says 'agr-1'")
    ]


def test_the_orm_refuses_to_change_or_delete_an_entry(db: Session) -> None:
    (entry,) = _chain(db, 1)
    entry.kind = "signed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.flush()
    db.rollback()
    db.delete(db.get(LedgerEntry, 1))
    with pytest.raises(RuntimeError, match="append-only"):
        db.flush()


def test_two_appends_on_the_same_head_cannot_both_land(db: Session) -> None:
    _chain(db, 1)
    head = db.get(LedgerEntry, 1)
    assert head is not None
    db.add(LedgerEntry(seq=3, kind="x", agreement_id="a", payload="{}", prev_hash=head.entry_hash,
                       entry_hash="f" * 64, created_at=AT))  # fmt: skip
    db.add(LedgerEntry(seq=2, kind="x", agreement_id="a", payload="{}", prev_hash=head.entry_hash,
                       entry_hash="e" * 64, created_at=AT))  # fmt: skip
    with pytest.raises(Exception, match="UNIQUE"):
        db.flush()


# --- the platform signing provider ------------------------------------------------------------


def test_platform_signatures_verify_with_the_public_key_alone() -> None:
    provider = PlatformEd25519Provider(MemoryKeyStore(), SECRET)
    message = statement(code="K7QM-3XPA", digest="ab" * 32, enterprise_id="ent-1",
                        signer_id="user-1", signed_at=AT)  # fmt: skip
    signed = provider.sign(enterprise_id="ent-1", message=message)
    assert signed.provider == "platform-ed25519"
    assert ed25519_verify(signed.public_key, message, signed.signature)
    assert not ed25519_verify(signed.public_key, message.replace(b"ab", b"cd"), signed.signature)
    assert provider.public_key("ent-1") == signed.public_key


def test_each_enterprise_keeps_one_key() -> None:
    provider = PlatformEd25519Provider(MemoryKeyStore(), SECRET)
    first = provider.sign(enterprise_id="ent-1", message=b"a")
    again = provider.sign(enterprise_id="ent-1", message=b"b")
    other = provider.sign(enterprise_id="ent-2", message=b"a")
    assert first.public_key == again.public_key != other.public_key


def test_private_keys_are_stored_sealed_and_need_the_app_secret() -> None:
    keys = MemoryKeyStore()
    PlatformEd25519Provider(keys, SECRET).sign(enterprise_id="ent-1", message=b"a")
    stored = keys.keys["ent-1"]
    assert stored.private_key.startswith("aesgcm1:")
    other_secret = PlatformEd25519Provider(keys, SECRET.replace("0", "1"))
    with pytest.raises(InvalidState, match="cannot be opened"):
        other_secret.sign(enterprise_id="ent-1", message=b"a")


def test_a_sealed_key_cannot_be_moved_to_another_enterprise() -> None:
    keys = MemoryKeyStore()
    provider = PlatformEd25519Provider(keys, SECRET)
    provider.sign(enterprise_id="ent-1", message=b"a")
    stolen = keys.keys["ent-1"]
    keys.keys["ent-2"] = type(stolen)(
        "ent-2", stolen.algorithm, stolen.public_key, stolen.private_key
    )
    with pytest.raises(InvalidState, match="cannot be opened"):
        provider.sign(enterprise_id="ent-2", message=b"a")


# --- verification codes -----------------------------------------------------------------------


def test_codes_avoid_look_alike_symbols() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert not set(code) & set("01IOLU")


@pytest.mark.parametrize("typed", ["k7qm-3xpa", "K7QM3XPA", " k7qm 3xpa ", "K7QM–3XPA"])
def test_a_typed_code_is_read_as_printed(typed: str) -> None:
    assert normalise_code(typed) == "K7QM-3XPA"
