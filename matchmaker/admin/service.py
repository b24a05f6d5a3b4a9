"""What organisers and admins browse: every enterprise, need and profile, one page at a time.

The listing rules (visibility, filters, order) stay with each domain's own `list_page`;
this module checks who may browse, and adds what a row shows besides its record: the
enterprise's name, and for needs the matching quality of the needs on the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.enterprises import service as enterprises
from matchmaker.enterprises.models import Enterprise
from matchmaker.enterprises.service import EnterpriseFilters
from matchmaker.errors import Forbidden
from matchmaker.matching.ranker import BANDS
from matchmaker.matching.service import MatchingService
from matchmaker.needs import service as needs
from matchmaker.needs.models import Need
from matchmaker.needs.service import NeedFilters
from matchmaker.policy import Actor
from matchmaker.profiles import service as profiles
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.profiles.service import ProfileFilters
from matchmaker.schemas import PageParams

T = TypeVar("T")
STRONG, GOOD = BANDS[0][0], BANDS[1][0]  # 70 (强匹配) and 45 (较匹配)
CANDIDATES = 50


@dataclass(frozen=True)
class Listing(Generic[T]):
    rows: list[T]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class Quality:
    """How many of a need's top candidates score at least STRONG, and at least GOOD."""

    strong: int
    good: int


@dataclass(frozen=True)
class NeedRow:
    need: Need
    firm: str
    quality: Quality | None  # None when the matching engine does not hold the need


@dataclass(frozen=True)
class ProfileRow:
    profile: CapabilityProfile
    enterprise: str


def _require_browser(actor: Actor) -> None:
    if not policy.can_browse_all(actor):
        raise Forbidden("only organisers and admins browse every enterprise, need and profile")


def enterprise_listing(
    db: Session, *, actor: Actor, filters: EnterpriseFilters, page: PageParams
) -> Listing[Enterprise]:
    _require_browser(actor)
    rows, total = enterprises.list_page(db, filters=filters, page=page)
    return Listing(rows, total, page.page, page.per_page)


def need_listing(
    db: Session,
    matching: MatchingService,
    *,
    actor: Actor,
    filters: NeedFilters,
    page: PageParams,
) -> Listing[NeedRow]:
    """Needs with their matching quality, computed for this page's needs only."""
    _require_browser(actor)
    rows, total = needs.list_page(db, actor=actor, filters=filters, page=page)
    names = _names(db, {need.enterprise_id for need in rows})
    quality = match_quality(db, matching, [need.id for need in rows])
    listed = [NeedRow(n, names.get(n.enterprise_id, ""), quality.get(n.id)) for n in rows]
    return Listing(listed, total, page.page, page.per_page)


def match_quality(
    db: Session, matching: MatchingService, need_ids: Iterable[str]
) -> dict[str, Quality]:
    ranked = matching.top_scores(db, need_ids, CANDIDATES)
    return {
        need_id: Quality(
            strong=sum(score >= STRONG for score in scores),
            good=sum(score >= GOOD for score in scores),
        )
        for need_id, scores in ranked.items()
    }


def profile_listing(
    db: Session, *, actor: Actor, filters: ProfileFilters, page: PageParams
) -> Listing[ProfileRow]:
    _require_browser(actor)
    rows, total = profiles.list_page(db, actor=actor, filters=filters, page=page)
    names = _names(db, {profile.enterprise_id for profile in rows})
    listed = [ProfileRow(p, names.get(p.enterprise_id, "")) for p in rows]
    return Listing(listed, total, page.page, page.per_page)


def districts(db: Session) -> list[str]:
    """Every district an enterprise is registered in, for the filter."""
    statement = select(Enterprise.district).where(Enterprise.district.is_not(None)).distinct()
    return sorted(district for district in db.scalars(statement) if district)


def _names(db: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = db.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(list(ids))))
    return {row.id: row.name for row in rows}
