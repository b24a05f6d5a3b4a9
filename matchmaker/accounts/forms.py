"""Account forms: the fields a page submits, the password forms' schemas, safe redraws."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from starlette.datastructures import FormData

from matchmaker.accounts.registration import Password, PasswordTwice, same_as
from matchmaker.fields import Email

SECRET_FIELDS = frozenset(
    {"password", "password_again", "current_password", "new_password", "new_password_again"}
)


class ForgotPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class NewPassword(PasswordTwice):
    """The reset form: a new password, twice."""


class ChangePassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Password
    new_password: str = Password
    new_password_again: str = Password

    @field_validator("new_password_again")
    @classmethod
    def _repeated(cls, value: str, info: ValidationInfo) -> str:
        return same_as("new_password", value, info)


def submitted(form: FormData, schema: type[BaseModel]) -> dict[str, Any]:
    """The schema's fields as typed; blank ones are left out, so optional fields stay None."""
    values: dict[str, Any] = {}
    for name in schema.model_fields:
        raw = form.get(name)
        if isinstance(raw, str) and raw.strip():
            values[name] = raw if name in SECRET_FIELDS else raw.strip()
    return values


def shown(values: dict[str, Any]) -> dict[str, Any]:
    """Values to redraw a form with: passwords are never sent back to the browser."""
    return {name: value for name, value in values.items() if name not in SECRET_FIELDS}
