"""Open needs recommended to an SME's profile, ready to show: need, firm, score and reasons.

The engine ranks; this module joins its matches with the records and hides what a viewer may
not read yet: a confidential need shows its public summary, and reasons that quote words of
its hidden text are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden
from matchmaker.fields import NeedStatus, ProfileStatus
from matchmaker.introductions.service import unlocks_full_need
from matchmaker.matching.explain import Reason
from matchmaker.needs.models import Need
from matchmaker.policy import Actor
from matchmaker.profiles import service as profiles
from matchmaker.profiles.models import CapabilityProfile

if TYPE_CHECKING:
    from matchmaker.matching.engine import Match
    from matchmaker.matching.rankings import Rankings

# Reasons that quote words found in the need's text (see matching/explain.py).
QUOTES_TEXT = frozenset({"terms"})


@dataclass(frozen=True)
class Recommendation:
    need: Need
    firm_name: str
    score: int
    band: str  # the engine's band: 强匹配, 较匹配 or 一般 (the score macro names it)
    reasons: list[Reason]  # shown with the `reason` filter in the reader's language
    text: str  # the description, or the public summary of a confidential need
    hidden: bool  # True when `text` is a confidential need's public summary


@dataclass(frozen=True)
class Recommendations:
    profile: CapabilityProfile
    rows: list[Recommendation]


def published_profiles(db: Session, *, actor: Actor) -> list[CapabilityProfile]:
    """The actor's own enterprise's published profiles, to choose which one to match."""
    if actor is None or actor.enterprise_id is None:
        return []
    statement = (
        select(CapabilityProfile)
        .where(
            CapabilityProfile.enterprise_id == actor.enterprise_id,
            CapabilityProfile.status == ProfileStatus.PUBLISHED,
        )
        .order_by(CapabilityProfile.created_at, CapabilityProfile.id)
    )
    return list(db.scalars(statement))


def for_profile(
    db: Session,
    rankings: Rankings,
    *,
    actor: Actor,
    profile_id: str,
    limit: int,
) -> Recommendations:
    """Open needs ranked for one profile, best first; a draft profile gets none."""
    profile = profiles.get(db, actor=actor, profile_id=profile_id)
    if not policy.can_see_recommendations(actor, profile):
        raise Forbidden("only the SME itself, organisers and admins see its recommendations")
    if profile.status is not ProfileStatus.PUBLISHED:
        return Recommendations(profile, [])
    matches = rankings.recommend(db, profile_id, limit)
    ids = [m.need_id for m in matches]
    needs = {n.id: n for n in db.scalars(select(Need).where(Need.id.in_(ids)))}
    owners = {n.enterprise_id for n in needs.values()}
    statement = select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(owners))
    names = {row.id: row.name for row in db.execute(statement)}
    rows = [
        _row(db, actor, match, needs[match.need_id], names.get(match.need_enterprise_id, ""))
        for match in matches
        if match.need_id in needs and needs[match.need_id].status is NeedStatus.OPEN
    ]
    return Recommendations(profile, rows)


def _row(db: Session, actor: Actor, match: Match, need: Need, firm_name: str) -> Recommendation:
    hidden = need.confidential and not unlocks_full_need(db, actor=actor, need=need)
    return Recommendation(
        need=need,
        firm_name=firm_name,
        score=match.score,
        band=match.band,
        reasons=visible_reasons(match.explained, hidden=hidden),
        text=(need.public_summary or "") if hidden else need.description,
        hidden=hidden,
    )


def visible_reasons(reasons: list[Reason], *, hidden: bool) -> list[Reason]:
    """Chain, certification and region reasons stay; quoted words of a hidden text go."""
    if not hidden:
        return list(reasons)
    return [reason for reason in reasons if reason.kind not in QUOTES_TEXT]
