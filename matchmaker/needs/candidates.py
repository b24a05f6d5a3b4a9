"""A need's ranked candidates as the firm reviews them: filters, decisions, chain paths."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.enterprises import service as enterprises
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden
from matchmaker.fields import Decision
from matchmaker.introductions.models import Introduction
from matchmaker.matching.engine import Match
from matchmaker.matching.paths import ChainPath, chain_path
from matchmaker.matching.rankings import Rankings
from matchmaker.needs import service as needs
from matchmaker.needs.models import Need
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.shortlists import service as shortlists
from matchmaker.shortlists.models import CandidateDecision

RANKED = 100  # candidates ranked per need before filtering; a firm rarely reads further


@dataclass(frozen=True)
class CandidateFilters:
    district: str | None = None
    tag: str | None = None
    certification: str | None = None
    min_score: int = 0
    show_dismissed: bool = False
    shortlisted_only: bool = False


@dataclass(frozen=True)
class Candidate:
    match: Match
    profile: CapabilityProfile
    enterprise: Enterprise
    decision: CandidateDecision | None
    introduction: Introduction | None
    path: ChainPath | None
    contact_visible: bool


@dataclass
class CandidateList:
    need: Need
    rows: list[Candidate]
    ranked: int
    districts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)


def _keeps(candidate: Candidate, filters: CandidateFilters) -> bool:
    decision = candidate.decision.decision if candidate.decision else None
    checks = (
        filters.district in (None, candidate.enterprise.district),
        filters.tag is None or filters.tag in candidate.enterprise.tags,
        filters.certification is None or filters.certification in candidate.profile.certifications,
        candidate.match.score >= filters.min_score,
        filters.show_dismissed or decision is not Decision.DISMISSED,
        not filters.shortlisted_only or decision is Decision.SHORTLISTED,
    )
    return all(checks)


def candidates(
    db: Session,
    rankings: Rankings,
    *,
    actor: Actor,
    need_id: str,
    filters: CandidateFilters,
) -> CandidateList:
    need = needs.get(db, actor=actor, need_id=need_id)
    if not policy.can_see_matches(actor, need):
        raise Forbidden("only the posting firm, organisers and admins see a need's candidates")
    matches = rankings.match(db, need.id, RANKED)
    matching = rankings.service
    profile_ids = [m.profile_id for m in matches]
    profiles = {
        p.id: p
        for p in db.scalars(select(CapabilityProfile).where(CapabilityProfile.id.in_(profile_ids)))
    }
    owners = {p.enterprise_id for p in profiles.values()}
    firms = {e.id: e for e in db.scalars(select(Enterprise).where(Enterprise.id.in_(owners)))}
    decisions = shortlists.for_need(db, need.id)
    intros = {
        i.profile_id: i
        for i in db.scalars(select(Introduction).where(Introduction.need_id == need.id))
    }
    asked, offered = matching.placements(db, [need.id], profile_ids)
    relations = matching.relations(db)
    rows = []
    for match in matches:
        profile = profiles.get(match.profile_id)
        if profile is None:
            continue
        enterprise = firms[profile.enterprise_id]
        path = chain_path(relations, asked.get(need.id, [])[:2], offered.get(profile.id, [])[:2])
        visible = enterprises.contact_visible(db, actor=actor, enterprise_id=enterprise.id)
        candidate = Candidate(
            match, profile, enterprise, decisions.get(profile.id), intros.get(profile.id), path,
            visible,
        )  # fmt: skip
        rows.append(candidate)
    result = CandidateList(need=need, rows=[], ranked=len(rows))
    result.districts = sorted({c.enterprise.district for c in rows if c.enterprise.district})
    result.tags = sorted({t for c in rows for t in c.enterprise.tags})
    result.certifications = sorted({x for c in rows for x in c.profile.certifications})
    result.rows = [c for c in rows if _keeps(c, filters)]
    return result


def contacts_shown(db: Session, *, actor: Actor, need_id: str, rows: list[Candidate]) -> None:
    """Audit the contact details on the rows of the page actually shown."""
    shown = [row.enterprise.id for row in rows if row.contact_visible]
    enterprises.contacts_seen(
        db, actor=actor, enterprise_ids=shown, where={"in": "candidates", "id": need_id}
    )
