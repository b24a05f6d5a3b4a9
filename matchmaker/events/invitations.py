"""Invite to an event in bulk: the SMEs the matching engine finds, or a list from a file.

A list file is CSV (UTF-8) or XLSX with the columns `type` (need or profile) and `id`, one
participant per row, as organisers keep them in spreadsheets. Every row is checked before
anything is saved, and errors name the row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.errors import FieldError, ValidationFailed
from matchmaker.events import service
from matchmaker.events.models import EventNeed, EventSME
from matchmaker.fields import Participation
from matchmaker.matching.service import MatchingService
from matchmaker.policy import Actor

GOOD = 45  # the 较匹配 band
KINDS = {
    **dict.fromkeys(("need", "needs", "需求"), "need"),
    **dict.fromkeys(("profile", "profiles", "sme", "企业", "能力画像"), "profile"),
}


def matching_profiles(
    db: Session,
    matching: MatchingService,
    *,
    actor: Actor,
    event_id: str,
    min_score: int = GOOD,
    per_need: int = 20,
) -> list[str]:
    """Best profile of each SME scoring at least `min_score` for an invited or accepted need."""
    event = service.managed(db, actor=actor, event_id=event_id)
    wanted = (Participation.INVITED, Participation.ACCEPTED)
    invited = (EventNeed.event_id == event.id, EventNeed.status.in_(wanted))
    need_ids = db.scalars(select(EventNeed.need_id).where(*invited)).all()
    taking_part = set(
        db.scalars(select(EventSME.enterprise_id).where(EventSME.event_id == event.id))
    )
    best: dict[str, tuple[int, str]] = {}
    for need_id in need_ids:
        for match in matching.match(db, need_id, per_need):
            owner = match.profile_enterprise_id
            if match.score < min_score or owner in taking_part:
                continue
            if owner not in best or match.score > best[owner][0]:
                best[owner] = (match.score, match.profile_id)
    return [profile_id for _score, profile_id in sorted(best.values(), reverse=True)]


def invite_by_matching(
    db: Session, matching: MatchingService, *, actor: Actor, event_id: str, min_score: int = GOOD
) -> service.Invited:
    ids = matching_profiles(db, matching, actor=actor, event_id=event_id, min_score=min_score)
    return service.invite(db, actor=actor, event_id=event_id, profile_ids=ids)


def read_list(name: str, data: bytes) -> tuple[list[str], list[str]]:
    """Need ids and profile ids from an uploaded list; ValidationFailed names bad rows."""
    rows = _rows(name, data)
    needs: list[str] = []
    profiles: list[str] = []
    errors = []
    for number, row in rows:
        kind = KINDS.get(str(row.get("type") or "").strip().lower())
        record_id = str(row.get("id") or "").strip()
        if kind is None:
            errors.append(FieldError(f"row {number}.type", "must be need or profile"))
        elif not record_id:
            errors.append(FieldError(f"row {number}.id", "is empty"))
        else:
            (needs if kind == "need" else profiles).append(record_id)
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)
    return needs, profiles


def _rows(name: str, data: bytes) -> list[tuple[int, dict[str, object]]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        header = [str(h or "").strip().lower() for h in (values[0] if values else [])]
        body = values[1:]
        pairs = [dict(zip(header, row, strict=False)) for row in body]
    elif suffix == ".csv":
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
        pairs = [dict(row) for row in reader]
    else:
        raise ValidationFailed(
            f"{name}: upload a .csv or .xlsx file",
            errors=[FieldError("file", "must be CSV or XLSX")],
        )
    missing = {"type", "id"} - set(pairs[0] if pairs else {"type", "id"})
    if missing:
        raise ValidationFailed(
            f"{name}: the header needs the columns type and id",
            errors=[FieldError("file", f"missing column {sorted(missing)[0]}")],
        )
    # Row 1 is the header, so the first participant is on row 2, as the spreadsheet shows it.
    return [(index + 2, row) for index, row in enumerate(pairs) if any(row.values())]


def invite_from_list(
    db: Session, *, actor: Actor, event_id: str, name: str, data: bytes
) -> service.Invited:
    service.managed(db, actor=actor, event_id=event_id)
    needs, profiles = read_list(name, data)
    return service.invite(db, actor=actor, event_id=event_id, need_ids=needs, profile_ids=profiles)
