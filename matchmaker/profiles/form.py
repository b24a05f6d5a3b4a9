"""The capability profile form: what the page submits, and how it maps to the schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from matchmaker.fields import ProfileStatus
from matchmaker.forms import joined, lines
from matchmaker.matching.chain import ChainGraph
from matchmaker.profiles.advice import Draft
from matchmaker.profiles.models import CapabilityProfile

LIST_FIELDS = ("capabilities", "products", "certifications", "regions")
PUBLISH = "publish"


class ProfileForm(BaseModel):
    """Submitted fields as typed; lenient on purpose, the API's schemas judge them."""

    title: str = ""
    summary: str = ""
    capabilities: str = ""
    products: str = ""
    certifications: str = ""
    regions: str = ""
    open_to: list[str] = []
    funding_stage: str = ""
    segments: list[str] = []
    enterprise_id: str = ""  # only admins choose the enterprise
    action: str = "draft"  # which button: "draft" or "publish"

    @property
    def status(self) -> ProfileStatus:
        return ProfileStatus.PUBLISHED if self.action == PUBLISH else ProfileStatus.DRAFT

    def values(self) -> dict[str, Any]:
        """What the form shows again when it is redrawn."""
        return self.model_dump(exclude={"action"})

    def data(self) -> dict[str, Any]:
        """The profile fields as the schemas take them, with the chosen status."""
        return {
            "title": self.title,
            "summary": self.summary,
            **{name: lines(getattr(self, name)) for name in LIST_FIELDS},
            "open_to": self.open_to,
            "funding_stage": self.funding_stage.strip() or None,
            "segments": self.segments,
            "status": self.status,
        }

    def draft(self) -> Draft:
        return Draft(
            title=self.title,
            summary=self.summary,
            **{name: lines(getattr(self, name)) for name in LIST_FIELDS},
            open_to=self.open_to,
            funding_stage=self.funding_stage,
            segments=self.segments,
        )


def form_of(profile: CapabilityProfile) -> ProfileForm:
    """A stored profile as its form shows it: list fields one item per line."""
    return ProfileForm(
        title=profile.title,
        summary=profile.summary,
        **{name: joined(getattr(profile, name)) for name in LIST_FIELDS},
        open_to=[str(value) for value in profile.open_to],
        funding_stage=profile.funding_stage or "",
        segments=list(profile.segments),
        enterprise_id=profile.enterprise_id,
    )


def segment_groups(graph: ChainGraph, locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Chain segments grouped by chain, named in the page's language, for a multi-select."""
    english = locale == "en"
    groups = []
    for chain in graph.chains.values():
        options = [
            (s.id, (s.name_en or s.name) if english else s.name)
            for s in graph.segments_of(chain.id)
        ]
        groups.append(((chain.name_en or chain.name) if english else chain.name, options))
    return groups
