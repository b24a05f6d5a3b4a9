"""Need schemas: the import record, API payloads and the view."""

from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from matchmaker.fields import (
    CloseReason,
    LongText,
    Money,
    Name,
    NeedStatus,
    NeedType,
    RecordId,
    SegmentIds,
    TextList,
)


class NeedFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: NeedType
    title: Name
    description: LongText
    requirements: TextList = []
    certifications: TextList = []
    regions: TextList = []
    budget_min: Money | None = None
    budget_max: Money | None = None
    deadline: dt.date | None = None
    segments: SegmentIds = []
    # A confidential need shows only its title and public_summary until the firm invites
    # an SME or accepts its answer.
    confidential: bool = False
    public_summary: LongText | None = None

    @field_validator("budget_max")
    @classmethod
    def _budget_order(cls, budget_max: float | None, info: ValidationInfo) -> float | None:
        budget_min = info.data.get("budget_min")
        if budget_min is not None and budget_max is not None and budget_min > budget_max:
            raise ValueError(
                f"budget_min ({budget_min:g}) is larger than budget_max ({budget_max:g})"
            )
        return budget_max

    @model_validator(mode="after")
    def _confidential_has_summary(self) -> Self:
        if self.confidential and not self.public_summary:
            raise ValueError("a confidential need needs a public_summary to show in its place")
        return self


class NeedRecord(NeedFields):
    """One line of a needs import or export file; imported needs default to open."""

    id: RecordId
    enterprise_id: RecordId
    status: NeedStatus = NeedStatus.OPEN
    close_reason: CloseReason | None = None

    @model_validator(mode="after")
    def _reason_goes_with_closed(self) -> Self:
        if self.status is NeedStatus.CLOSED and self.close_reason is None:
            raise ValueError("a closed need needs a close_reason (filled, withdrawn or expired)")
        if self.status is not NeedStatus.CLOSED and self.close_reason is not None:
            raise ValueError(f"close_reason is only for closed needs, this one is {self.status}")
        return self


class NeedCreate(NeedFields):
    # Firm members post for their own enterprise; admins name one.
    enterprise_id: RecordId | None = None
    publish: bool = False


class NeedUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: NeedType | None = None
    title: Name | None = None
    description: LongText | None = None
    requirements: TextList | None = None
    certifications: TextList | None = None
    regions: TextList | None = None
    budget_min: Money | None = None
    budget_max: Money | None = None
    deadline: dt.date | None = None
    segments: SegmentIds | None = None
    confidential: bool | None = None
    public_summary: LongText | None = None


class NeedClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: CloseReason


class NeedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    enterprise_id: str
    type: NeedType
    title: str
    description: str
    requirements: list[str]
    certifications: list[str]
    regions: list[str]
    budget_min: float | None
    budget_max: float | None
    deadline: dt.date | None
    segments: list[str]
    confidential: bool
    public_summary: str | None
    status: NeedStatus
    close_reason: CloseReason | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
