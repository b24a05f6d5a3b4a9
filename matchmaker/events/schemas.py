"""What an organiser fills in to create or edit an event."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matchmaker.fields import LongText, Name, SegmentIds, ShortText
from matchmaker.matching.chain import default_chain_graph


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
    description: LongText | None = None
    chains: list[str] = []
    segments: SegmentIds = []
    starts_at: dt.datetime
    venue: ShortText | None = None
    online: bool = False
    slot_minutes: int = Field(default=20, ge=5, le=120)
    slots: int = Field(default=9, ge=1, le=40)
    tables: int = Field(default=10, ge=1, le=300)
    registration_deadline: dt.date | None = None
    capacity: int | None = Field(default=None, ge=1, le=10_000)
    shortlist_size: int = Field(default=5, ge=1, le=30)
    sme_capacity: int = Field(default=3, ge=1, le=40)

    @field_validator("chains")
    @classmethod
    def _known_chains(cls, chains: list[str]) -> list[str]:
        known = default_chain_graph().chains
        unknown = [c for c in chains if c not in known]
        if unknown:
            raise ValueError(f"unknown chain {unknown[0]!r}; known: {', '.join(sorted(known))}")
        return list(dict.fromkeys(chains))

    @field_validator("starts_at")
    @classmethod
    def _aware(cls, starts_at: dt.datetime) -> dt.datetime:
        if starts_at.tzinfo is None:  # a local time typed in Shanghai
            return starts_at.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        return starts_at
