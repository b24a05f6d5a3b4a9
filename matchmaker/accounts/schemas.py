"""Account schemas: users, logins and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matchmaker.fields import Email, LookupText, Name, RecordId, Role, ShortText


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: str = Field(min_length=1, max_length=256)
    display_name: Name
    role: Role
    enterprise_id: RecordId | None = None
    organisation: ShortText | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = None
    role: Role | None = None
    enterprise_id: RecordId | None = None
    organisation: ShortText | None = None
    is_active: bool | None = None

    @field_validator("display_name", "role", "is_active")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Leaving a field out keeps it; sending null would empty a field every user has.
        if value is None:
            raise ValueError("may not be null; leave the field out to keep it")
        return value


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str
    role: Role
    enterprise_id: str | None
    organisation: str | None
    is_active: bool
    created_at: datetime
    locked_until: datetime | None = None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: LookupText = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Send as X-CSRF-Token with cookie-authenticated writes")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class TokenScope(StrEnum):
    """What an API token may do: read (GET only), write (any call), admin (manage users)."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


DEFAULT_SCOPES = (TokenScope.READ, TokenScope.WRITE)


def scope_list(value: Any) -> Any:
    """Scopes as a list, or as one string separated by spaces or commas ("read write")."""
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    return value


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    expires_in_days: int | None = Field(default=90, ge=1, le=3650)
    # None: read and write, plus admin for an admin's token (what every token could before).
    scopes: list[TokenScope] | None = Field(default=None, min_length=1)

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return scope_list(value)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    scopes: list[TokenScope]

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return scope_list(value)


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once; only its hash is stored")
