"""Capability profile schemas: the import record, API payloads and the view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from matchmaker.fields import (
    LongText,
    Name,
    NeedType,
    ProfileStatus,
    RecordId,
    SegmentIds,
    ShortText,
    TextList,
)


def _none_as_empty(value: object) -> object:
    return [] if value is None else value


def _unique_types(values: list[NeedType]) -> list[NeedType]:
    if len(set(values)) != len(values):
        raise ValueError("lists a need type twice")
    return values


OpenTo = Annotated[
    list[NeedType],
    BeforeValidator(_none_as_empty),
    Field(max_length=len(NeedType)),
    AfterValidator(_unique_types),
]


class ProfileFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
    summary: LongText
    capabilities: TextList = []
    products: TextList = []
    certifications: TextList = []
    regions: TextList = []
    open_to: OpenTo = []
    funding_stage: ShortText | None = None
    segments: SegmentIds = []


class ProfileRecord(ProfileFields):
    """One line of a profiles import or export file; imported profiles default to published."""

    id: RecordId
    enterprise_id: RecordId
    status: ProfileStatus = ProfileStatus.PUBLISHED


class ProfileCreate(ProfileFields):
    # SMEs create profiles for their own enterprise; admins name one.
    enterprise_id: RecordId | None = None
    status: ProfileStatus = ProfileStatus.DRAFT


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    summary: LongText | None = None
    capabilities: TextList | None = None
    products: TextList | None = None
    certifications: TextList | None = None
    regions: TextList | None = None
    open_to: OpenTo | None = None
    funding_stage: ShortText | None = None
    segments: SegmentIds | None = None
    status: ProfileStatus | None = None


class ProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    enterprise_id: str
    title: str
    summary: str
    capabilities: list[str]
    products: list[str]
    certifications: list[str]
    regions: list[str]
    open_to: list[NeedType]
    funding_stage: str | None
    segments: list[str]
    status: ProfileStatus
    created_at: datetime
    updated_at: datetime
