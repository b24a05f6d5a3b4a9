"""API views of ranked matches."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MatchOut(BaseModel):
    enterprise_id: str
    score: int = Field(description="Calibrated 0-100: the chance a reviewer calls this a fit")
    band: str = Field(description="强匹配 (≥70), 较匹配 (≥45) or 一般")
    reasons: list[str]
    features: dict[str, float]


class ProfileMatchOut(MatchOut):
    profile_id: str


class NeedMatchOut(MatchOut):
    need_id: str


class NeedMatches(BaseModel):
    need_id: str
    matches: list[ProfileMatchOut]


class ProfileRecommendations(BaseModel):
    profile_id: str
    matches: list[NeedMatchOut]
