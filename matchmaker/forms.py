"""HTML form plumbing: parse submitted fields, validate with the API's schemas, show errors.

Pages validate with the same Pydantic schemas and services as the API, so a value the API
refuses is refused on the page with the same rule; this module only turns the errors into
translated messages next to each field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from matchmaker import i18n
from matchmaker.errors import DomainError
from matchmaker.i18n import N_

T = TypeVar("T", bound=BaseModel)

# Pydantic error types → message ids; ctx values fill the %(name)s placeholders.
_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("At most %(max_length)s characters."),
    "too_long": N_("At most %(max_length)s items."),
    "int_parsing": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "string_pattern_mismatch": N_("The format is not valid."),
    "bool_parsing": N_("Choose yes or no."),
}


@dataclass
class FormState:
    """What a template needs to redraw a form: the submitted values and errors per field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def lines(text: str | None) -> list[str]:
    """A textarea with one item per line (or separated by ；/;) becomes a list."""
    if not text:
        return []
    items = text.replace("；", "\n").replace(";", "\n").splitlines()
    return [item.strip() for item in items if item.strip()]


def joined(items: Iterable[str] | None) -> str:
    return "\n".join(items or [])


def _message(error: ErrorDetails, locale: str) -> str:
    msgid = _MESSAGES.get(error["type"])
    if msgid is None:
        text = str(error["msg"]).removeprefix("Value error, ")
        return i18n.gettext(locale, text)
    context = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int)}
    try:
        return i18n.gettext(locale, msgid, **context)
    except (KeyError, ValueError):
        return i18n.gettext(locale, msgid.split("%")[0].strip())


def validate(schema: type[T], data: Mapping[str, Any], state: FormState, locale: str) -> T | None:
    """Validate `data` with `schema`; on failure record per-field messages and return None."""
    try:
        return schema.model_validate(dict(data))
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "__all__"
            state.add(name, _message(error, locale))
        return None


def record_domain_error(error: DomainError, state: FormState, locale: str) -> None:
    """A service's refusal goes next to the fields it names, or on top of the form."""
    if not error.errors:
        state.add("__all__", i18n.gettext(locale, error.detail))
    for item in error.errors:
        state.add(item.field.split(".")[0], i18n.gettext(locale, item.message))
