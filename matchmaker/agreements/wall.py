"""The live signing wall: what a completed signing announces and how a wall shows it.

Each agreement announces itself once, when its second signature completes it, on the topic
`signings` (the platform-wide wall, /wall) and, when it belongs to an event, also on
`signings:event:<event_id>` (/events/<event_id>/wall). The message carries raw values and
the running totals of its wall; each viewer's stream renders them in the viewer's language.

Each SSE event's id is the sequence number of the ledger entry that completed the agreement.
A stream first replays the signings after the id the viewer last saw (the `Last-Event-ID`
header EventSource sends when it reconnects, or the page's `after`), so a dropped connection
or the moment between rendering the page and opening the stream loses nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker import i18n
from matchmaker.agreements import ledger
from matchmaker.agreements.canonical import timestamp
from matchmaker.agreements.models import Agreement, LedgerEntry
from matchmaker.agreements.texts import TYPE_LABELS
from matchmaker.bus.base import MessageBus, Subscription
from matchmaker.fields import AgreementStatus, AgreementType
from matchmaker.i18n import N_
from matchmaker.matching.chain import default_chain_graph
from matchmaker.search.listing import segment_name

PLATFORM_TOPIC = "signings"
RECENT = 12
HEARTBEAT_SECONDS = 15.0
# A stream ends after this long and the browser reconnects (losslessly, see above): no
# connection lingers for days, and a server that is stopping waits at most this long.
STREAM_SECONDS = 300.0
AMOUNT = N_("%(amount)s ten thousand yuan")


def topic(event_id: str | None) -> str:
    return PLATFORM_TOPIC if event_id is None else f"{PLATFORM_TOPIC}:event:{event_id}"


@dataclass(frozen=True)
class Totals:
    count: int
    amount_wan: float


def totals(db: Session, event_id: str | None) -> Totals:
    query = select(func.count(Agreement.id), func.coalesce(func.sum(Agreement.amount_wan), 0.0))
    query = query.where(Agreement.status == AgreementStatus.SIGNED)
    if event_id is not None:
        query = query.where(Agreement.event_id == event_id)
    count, amount = db.execute(query).one()
    return Totals(int(count), float(amount or 0.0))


def _signed(event_id: str | None, after: int = 0) -> Any:
    """Signed agreements of a wall with their completing ledger entry, oldest first."""
    query = (
        select(Agreement, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.agreement_id == Agreement.id)
        .where(
            Agreement.status == AgreementStatus.SIGNED,
            LedgerEntry.kind == ledger.SIGNED,
            LedgerEntry.seq > after,
        )
    )
    if event_id is not None:
        query = query.where(Agreement.event_id == event_id)
    return query


def recent(db: Session, event_id: str | None, limit: int = RECENT) -> list[dict[str, Any]]:
    """The newest signings of a wall as raw messages, newest first."""
    rows = db.execute(_signed(event_id).order_by(LedgerEntry.seq.desc()).limit(limit)).all()
    counted = totals(db, event_id)
    return [message(agreement, entry, counted) for agreement, entry in rows]


def missed(db: Session, event_id: str | None, after: int) -> list[dict[str, Any]]:
    """Signings completed after ledger entry `after`, oldest first (at most RECENT)."""
    rows = db.execute(_signed(event_id, after).order_by(LedgerEntry.seq.desc()).limit(RECENT))
    counted = totals(db, event_id)
    return [message(agreement, entry, counted) for agreement, entry in reversed(rows.all())]


def message(agreement: Agreement, entry: LedgerEntry | None, counted: Totals) -> dict[str, Any]:
    """The raw announcement of one signed agreement on one wall (totals of that wall)."""
    return {
        "code": agreement.code,
        "firm": agreement.firm_name,
        "sme": agreement.sme_name,
        "subject": agreement.subject,
        "type": agreement.type.value,
        "amount_wan": agreement.amount_wan,
        "segment": agreement.segment,
        "event_id": agreement.event_id,
        "signed_at": timestamp(agreement.signed_at) if agreement.signed_at else None,
        "entry": {"seq": entry.seq, "hash": entry.entry_hash, "prev": entry.prev_hash}
        if entry is not None
        else None,
        "totals": {"count": counted.count, "amount_wan": counted.amount_wan},
    }


def announce(db: Session, bus: MessageBus, agreement: Agreement) -> None:
    """Tell the platform wall and the agreement's event wall (if any) about a signing."""
    completed = [e for e in ledger.for_agreement(db, agreement.id) if e.kind == ledger.SIGNED]
    entry = completed[-1] if completed else None
    bus.publish(topic(None), message(agreement, entry, totals(db, None)))
    if agreement.event_id is not None:
        counted = totals(db, agreement.event_id)
        bus.publish(topic(agreement.event_id), message(agreement, entry, counted))


def amount_text(value: float | None, locale: str) -> str:
    if value is None:
        return "—"
    return i18n.gettext(locale, AMOUNT, amount=i18n.format_number(value, locale))


def seq_of(raw: dict[str, Any]) -> int:
    entry = raw.get("entry") or {}
    return int(entry.get("seq") or 0)


def display(raw: dict[str, Any], locale: str) -> dict[str, Any]:
    """The message as a wall in `locale` shows it: labels translated, numbers formatted."""
    try:
        label = i18n.gettext(locale, TYPE_LABELS[AgreementType(str(raw.get("type")))])
    except ValueError:
        label = ""
    signed_at, segment = raw.get("signed_at"), raw.get("segment")
    entry = raw.get("entry") or {}
    counted = raw.get("totals") or {}
    moment = i18n.format_moment(datetime.fromisoformat(signed_at), locale) if signed_at else ""
    chain = f"#{entry['seq']} {entry['prev'][:8]}…→{entry['hash'][:8]}…" if entry else ""
    return {
        "code": raw.get("code"),
        "firm": raw.get("firm"),
        "sme": raw.get("sme"),
        "subject": raw.get("subject"),
        "type": label,
        "amount": amount_text(raw.get("amount_wan"), locale),
        "segment": segment_name(default_chain_graph(), segment, locale) if segment else "",
        "signed_at": moment,
        "entry": chain,
        "count": counted.get("count", 0),
        "total": amount_text(counted.get("amount_wan", 0.0), locale),
    }


def _event(raw: dict[str, Any], locale: str) -> str:
    data = json.dumps(display(raw, locale), ensure_ascii=False)
    return f"id: {seq_of(raw)}\nevent: signing\ndata: {data}\n\n"


async def stream(
    subscription: Subscription,
    locale: str,
    is_gone: Callable[[], Awaitable[bool]],
    replay: list[dict[str, Any]],
) -> AsyncIterator[str]:
    """Server-Sent Events: the `replay` messages, then one `signing` event per announcement,
    with comments as heartbeats. Ends when the viewer leaves, the subscription closes or
    STREAM_SECONDS pass; the subscription is closed in every case."""
    try:
        yield "retry: 3000\n: connected\n\n"
        last = 0
        for raw in replay:
            last = max(last, seq_of(raw))
            yield _event(raw, locale)
        deadline = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < deadline and not await is_gone():
            pushed = await subscription.aget(timeout=HEARTBEAT_SECONDS)
            if pushed is None and subscription.closed:
                break
            if pushed is None:
                yield ": keep-alive\n\n"
            elif seq_of(pushed) > last:  # not already replayed
                yield _event(pushed, locale)
    finally:
        subscription.close()
