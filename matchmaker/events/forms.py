"""The event form: submitted fields to EventData and an event back to form values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.datastructures import FormData

from matchmaker.events.models import Event
from matchmaker.events.schemas import EventData
from matchmaker.forms import FormState, validate

TEXT = ("title", "description", "starts_at", "venue", "registration_deadline")
NUMBERS = ("slot_minutes", "slots", "tables", "capacity", "shortlist_size", "sme_capacity")
DEFAULTS = {"slot_minutes": "20", "slots": "9", "tables": "10", "shortlist_size": "5",
            "sme_capacity": "3"}  # fmt: skip


def event_form_values(event: Event | None) -> dict[str, Any]:
    if event is None:
        return {**DEFAULTS, "chains": [], "online": False}
    local = event.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    values: dict[str, Any] = {
        "title": event.title,
        "description": event.description,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "venue": event.venue or "",
        "registration_deadline": event.registration_deadline.isoformat()
        if event.registration_deadline
        else "",
        "chains": list(event.chains),
        "online": event.online,
    }
    values.update({name: "" if getattr(event, name) is None else str(getattr(event, name))
                   for name in NUMBERS})  # fmt: skip
    return values


def submitted(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in (*TEXT, *NUMBERS)}
    values["chains"] = [str(c) for c in form.getlist("chains")]
    values["online"] = form.get("online") == "on"
    return values


def to_data(state: FormState, locale: str) -> EventData | None:
    """Blank optional fields mean "not set"; times typed in the form are Shanghai time."""
    payload = {k: (v if v != "" else None) for k, v in state.values.items()}
    payload = {k: v for k, v in payload.items() if v is not None}
    return validate(EventData, payload, state, locale)
