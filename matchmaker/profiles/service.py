"""Capability profile use cases: SMEs write them, everyone reads the published ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.changes import service as changes
from matchmaker.enterprises import service as enterprises
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import FieldError, Forbidden, NotFound, ValidationFailed
from matchmaker.fields import EnterpriseSize, ProfileStatus, Role
from matchmaker.ids import new_id
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.profiles.schemas import ProfileCreate, ProfileFields, ProfileUpdate
from matchmaker.query import json_list_contains, paginate, text_matches
from matchmaker.schemas import PageParams
from matchmaker.validation import merged


@dataclass(frozen=True)
class ProfileFilters:
    status: ProfileStatus | None = None
    district: str | None = None
    tag: str | None = None
    certification: str | None = None
    enterprise_id: str | None = None
    q: str | None = None


def get(db: Session, *, actor: Actor, profile_id: str) -> CapabilityProfile:
    profile = db.get(CapabilityProfile, profile_id)
    if profile is None or not policy.can_view_profile(actor, profile):
        raise NotFound(f"profile {profile_id!r} does not exist")
    return profile


def list_page(
    db: Session, *, actor: Actor, filters: ProfileFilters, page: PageParams
) -> tuple[list[CapabilityProfile], int]:
    statement = select(CapabilityProfile).order_by(
        CapabilityProfile.updated_at.desc(), CapabilityProfile.id
    )
    statement = statement.where(_visible(actor))
    if filters.status is not None:
        statement = statement.where(CapabilityProfile.status == filters.status)
    if filters.enterprise_id:
        statement = statement.where(CapabilityProfile.enterprise_id == filters.enterprise_id)
    if filters.certification:
        statement = statement.where(
            json_list_contains(CapabilityProfile.certifications, filters.certification)
        )
    if filters.district or filters.tag:
        statement = statement.join(Enterprise, Enterprise.id == CapabilityProfile.enterprise_id)
        if filters.district:
            statement = statement.where(Enterprise.district == filters.district)
        if filters.tag:
            statement = statement.where(json_list_contains(Enterprise.tags, filters.tag))
    if filters.q:
        columns = [
            CapabilityProfile.title,
            CapabilityProfile.summary,
            CapabilityProfile.capabilities,
            CapabilityProfile.products,
        ]
        statement = statement.where(text_matches(columns, filters.q))
    return paginate(db, statement, page)


def _visible(actor: Actor) -> ColumnElement[bool]:
    if policy.is_admin(actor):
        return true()
    published = CapabilityProfile.status == ProfileStatus.PUBLISHED
    if actor is None or actor.enterprise_id is None:
        return published
    return or_(published, CapabilityProfile.enterprise_id == actor.enterprise_id)


def create(db: Session, *, actor: Actor, data: ProfileCreate) -> CapabilityProfile:
    if not (policy.is_admin(actor) or (actor is not None and actor.role is Role.SME)):
        raise Forbidden("only members of an SME and admins publish capability profiles")
    enterprise_id = data.enterprise_id or (actor.enterprise_id if actor is not None else None)
    if enterprise_id is None:
        raise ValidationFailed(
            "enterprise_id is required when the author does not belong to an enterprise",
            errors=[FieldError("enterprise_id", "is required")],
        )
    if not policy.can_write_profile(actor, enterprise_id):
        raise Forbidden("only members of an SME and admins may publish its profiles")
    enterprise = enterprises.get(db, enterprise_id=enterprise_id)
    if enterprise.size is EnterpriseSize.LARGE:
        raise ValidationFailed(
            f"enterprise {enterprise_id!r} is large; capability profiles are published by SMEs",
            errors=[FieldError("enterprise_id", "is a large enterprise")],
        )
    profile = CapabilityProfile(
        id=new_id("prof"), **data.model_dump(exclude={"enterprise_id"}), enterprise_id=enterprise_id
    )
    db.add(profile)
    changes.record(db, "profiles", [profile.id])
    db.commit()
    return profile


def update_profile(
    db: Session, *, actor: Actor, profile_id: str, patch: ProfileUpdate
) -> CapabilityProfile:
    profile = _editable(db, actor, profile_id)
    current: dict[str, Any] = {
        field: getattr(profile, field) for field in ProfileFields.model_fields
    }
    sent = patch.model_dump(exclude_unset=True)
    status = sent.pop("status", None)
    values = merged(ProfileFields, current, sent, what="profile").model_dump()
    if status is not None:
        values["status"] = status
    for field, value in values.items():
        setattr(profile, field, value)
    changes.record(db, "profiles", [profile.id])
    db.commit()
    return profile


def delete(db: Session, *, actor: Actor, profile_id: str) -> None:
    profile = _editable(db, actor, profile_id)
    db.delete(profile)
    changes.record(db, "profiles", [profile_id])
    db.commit()


def _editable(db: Session, actor: Actor, profile_id: str) -> CapabilityProfile:
    profile = get(db, actor=actor, profile_id=profile_id)
    if not policy.can_write_profile(actor, profile.enterprise_id):
        raise Forbidden("only members of this SME and admins may change its profiles")
    return profile
