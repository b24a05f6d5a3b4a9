"""The need form: from submitted fields to the API's schemas and back to field values."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.datastructures import FormData

from matchmaker.forms import FormState, joined, lines, validate
from matchmaker.i18n import N_, gettext
from matchmaker.needs.models import Need
from matchmaker.needs.schemas import NeedCreate, NeedUpdate

SUMMARY_REQUIRED = N_("A confidential need needs a public summary to show in its place.")
BUDGET_ORDER = N_("The upper budget must not be below the lower one.")
T = TypeVar("T", bound=BaseModel)
LIST_FIELDS = ("requirements", "certifications", "regions")
TEXT_FIELDS = ("type", "title", "description", "public_summary", "budget_min", "budget_max")


def values_of(need: Need | None) -> dict[str, Any]:
    """Form values of an existing need (or a blank form) as the template shows them."""
    if need is None:
        return {"type": "", "confidential": False}
    values: dict[str, Any] = {name: getattr(need, name) for name in TEXT_FIELDS}
    values["type"] = need.type.value
    values.update({name: joined(getattr(need, name)) for name in LIST_FIELDS})
    values["deadline"] = need.deadline.isoformat() if need.deadline else ""
    values["confidential"] = need.confidential
    values["segments"] = list(need.segments)
    for money in ("budget_min", "budget_max"):
        value = values[money]
        values[money] = "" if value is None else f"{value:g}"
    values["public_summary"] = values["public_summary"] or ""
    return values


def submitted(form: FormData) -> dict[str, Any]:
    """Raw values as typed, kept to redraw the form when it has errors."""
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in TEXT_FIELDS}
    values.update({name: str(form.get(name) or "") for name in LIST_FIELDS})
    values["deadline"] = str(form.get("deadline") or "").strip()
    values["confidential"] = form.get("confidential") == "on"
    values["segments"] = [str(value) for value in form.getlist("segments")]
    return values


def _payload(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": values["type"] or None,
        "title": values["title"],
        "description": values["description"],
        "public_summary": values["public_summary"] or None,
        "budget_min": values["budget_min"] or None,
        "budget_max": values["budget_max"] or None,
        "deadline": values["deadline"] or None,
        "confidential": values["confidential"],
        "segments": values.get("segments", []),
    }
    data.update({name: lines(values[name]) for name in LIST_FIELDS})
    return data


def _own_checks(values: dict[str, Any], locale: str) -> dict[str, list[str]]:
    """Rules the schema also enforces, worded for the form and placed beside their field."""
    errors: dict[str, list[str]] = {}
    if values["confidential"] and not values["public_summary"]:
        errors["public_summary"] = [gettext(locale, SUMMARY_REQUIRED)]
    try:
        low, high = float(values["budget_min"]), float(values["budget_max"])
    except ValueError:
        return errors
    if low > high:
        errors["budget_max"] = [gettext(locale, BUDGET_ORDER)]
    return errors


def _validated(schema: type[T], data: dict[str, Any], state: FormState, locale: str) -> T | None:
    own = _own_checks(state.values, locale)
    result = validate(schema, data, state, locale)
    state.errors.update(own)  # ours replace the schema's English wording for the same field
    if own:
        state.errors.pop("__all__", None)
    return None if state.errors else result


def to_create(
    values: dict[str, Any], publish: bool, state: FormState, locale: str
) -> NeedCreate | None:
    return _validated(NeedCreate, {**_payload(values), "publish": publish}, state, locale)


def to_update(values: dict[str, Any], state: FormState, locale: str) -> NeedUpdate | None:
    return _validated(NeedUpdate, _payload(values), state, locale)
