"""Tell the SMEs involved with a need what changed when the firm edits it after publishing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.fields import Decision
from matchmaker.introductions.models import Introduction
from matchmaker.needs.models import Need
from matchmaker.notifications import service as notifications
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.shortlists.models import CandidateDecision

# Text a confidential need hides until the firm invites or accepts; a change notice must not
# reveal it either, so for these fields it only says that they changed.
HIDDEN_WHEN_CONFIDENTIAL = frozenset({"description", "requirements"})


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def differences(
    before: Mapping[str, Any], after: Mapping[str, Any], confidential: bool
) -> list[dict[str, str]]:
    """Changed fields with old and new values as display strings, in field order."""
    changed = []
    for field, new in after.items():
        old = before.get(field)
        if _shown(old) == _shown(new):
            continue
        hidden = confidential and field in HIDDEN_WHEN_CONFIDENTIAL
        changed.append(
            {
                "field": field,
                "old": "" if hidden else _shown(old),
                "new": "" if hidden else _shown(new),
            }
        )
    return changed


def involved_enterprises(db: Session, need_id: str) -> list[str]:
    """SMEs that answered, were invited or were shortlisted for the need."""
    introduced = (
        select(CapabilityProfile.enterprise_id)
        .join(Introduction, Introduction.profile_id == CapabilityProfile.id)
        .where(Introduction.need_id == need_id)
    )
    shortlisted = (
        select(CapabilityProfile.enterprise_id)
        .join(CandidateDecision, CandidateDecision.profile_id == CapabilityProfile.id)
        .where(
            CandidateDecision.need_id == need_id,
            CandidateDecision.decision == Decision.SHORTLISTED,
        )
    )
    return sorted(set(db.scalars(select(union(introduced, shortlisted).subquery().c[0]))))


def need_edited(db: Session, need: Need, changed: list[dict[str, str]]) -> int:
    """Queue notices in the caller's transaction; returns how many users are told."""
    if not changed:
        return 0
    enterprise_ids = involved_enterprises(db, need.id)
    if not enterprise_ids:
        return 0
    users = db.scalars(
        select(User.id).where(User.enterprise_id.in_(enterprise_ids), User.is_active.is_(True))
    )
    return notifications.notify_users(
        db, users, "need_changed", f"/needs/{need.id}", need_title=need.title, changes=changed
    )
