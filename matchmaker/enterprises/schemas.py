"""Enterprise schemas: the import record, API payloads and the public view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from matchmaker.fields import (
    USCC,
    Email,
    EnterpriseSize,
    LongText,
    Name,
    Phone,
    RecordId,
    ShortText,
    TextList,
)


def _not_in_future(year: int) -> int:
    if year > date.today().year:
        raise ValueError(f"founded year {year} is in the future")
    return year


FoundedYear = Annotated[int, Field(ge=1800), AfterValidator(_not_in_future)]
Employees = Annotated[int, Field(ge=0, le=10_000_000)]


class EnterpriseData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    size: EnterpriseSize
    uscc: USCC | None = None
    city: ShortText | None = None
    district: ShortText | None = None
    tags: TextList = []
    employees: Employees | None = None
    founded: FoundedYear | None = None
    description: LongText | None = None
    contact_name: Name | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None


class EnterpriseRecord(EnterpriseData):
    """One line of an enterprises import or export file."""

    id: RecordId


class EnterpriseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    size: EnterpriseSize | None = None
    uscc: USCC | None = None
    city: ShortText | None = None
    district: ShortText | None = None
    tags: TextList | None = None
    employees: Employees | None = None
    founded: FoundedYear | None = None
    description: LongText | None = None
    contact_name: Name | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None


class Contact(BaseModel):
    name: str | None
    phone: str | None
    email: str | None


class EnterpriseOut(BaseModel):
    """The view of an enterprise; `contact` is null unless the viewer may see it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    size: EnterpriseSize
    uscc: str | None
    city: str | None
    district: str | None
    tags: list[str]
    employees: int | None
    founded: int | None
    description: str | None
    created_at: datetime
    updated_at: datetime
    contact: Contact | None = None
