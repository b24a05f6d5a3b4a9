"""The three record kinds that move in and out of the platform, and their file format.

Field names and order are the same in every file type; the record models are the same
pydantic models the API uses, so a value the API refuses, the importer refuses too.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel

from matchmaker.db import Base
from matchmaker.enterprises.models import Enterprise
from matchmaker.enterprises.schemas import EnterpriseRecord
from matchmaker.needs.models import Need
from matchmaker.needs.schemas import NeedRecord
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.profiles.schemas import ProfileRecord

ValueKind = Literal["str", "int", "float", "date", "list"]
KindName = Literal["enterprises", "profiles", "needs"]


@dataclass(frozen=True)
class Kind:
    name: KindName
    record: type[BaseModel]
    table: type[Base]
    fields: tuple[str, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if self.record.model_fields[f].is_required())

    def value_kind(self, field: str) -> ValueKind:
        return _value_kind(self.record.model_fields[field].annotation)

    @property
    def owned(self) -> bool:
        """Whether records belong to an enterprise (and so reference one)."""
        return "enterprise_id" in self.fields


def _value_kind(annotation: Any) -> ValueKind:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _value_kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _value_kind(inner[0])
    if origin is list:
        return "list"
    if annotation is bool or annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if annotation is dt.date:
        return "date"
    if annotation is str or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return "str"
    raise TypeError(f"no file representation for {annotation!r}")


ENTERPRISES = Kind(
    name="enterprises",
    record=EnterpriseRecord,
    table=Enterprise,
    fields=(
        "id", "name", "size", "uscc", "city", "district", "tags", "employees", "founded",
        "description", "contact_name", "contact_phone", "contact_email",
    ),
)  # fmt: skip
PROFILES = Kind(
    name="profiles",
    record=ProfileRecord,
    table=CapabilityProfile,
    fields=(
        "id", "enterprise_id", "title", "summary", "capabilities", "products", "certifications",
        "regions", "open_to", "funding_stage", "segments", "status",
    ),
)  # fmt: skip
NEEDS = Kind(
    name="needs",
    record=NeedRecord,
    table=Need,
    fields=(
        "id", "enterprise_id", "type", "title", "description", "requirements", "certifications",
        "regions", "budget_min", "budget_max", "deadline", "segments", "status", "close_reason",
    ),
)  # fmt: skip

KINDS: dict[str, Kind] = {kind.name: kind for kind in (ENTERPRISES, PROFILES, NEEDS)}


def to_plain(record: BaseModel, kind: Kind) -> dict[str, Any]:
    """A validated record as plain values (enums as their strings) in file order."""
    dumped = record.model_dump(mode="python")
    return {field: _plain(dumped[field]) for field in kind.fields}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def check_kind_fields() -> None:
    """Fail loudly if a record model and its file field list ever drift apart."""
    for kind in KINDS.values():
        if set(kind.fields) != set(kind.record.model_fields):
            raise RuntimeError(f"{kind.name}: file fields and record fields differ")
