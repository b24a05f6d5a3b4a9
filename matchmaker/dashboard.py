"""What each role sees first after logging in, assembled in one place per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.fields import (
    IntroductionOrigin,
    IntroductionStatus,
    NeedStatus,
    ProfileStatus,
    Role,
)
from matchmaker.introductions.models import Introduction
from matchmaker.matching.rankings import Rankings
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.shortlists.models import CandidateDecision

STRONG = 70
TOP_NEEDS = 5


@dataclass
class Dashboard:
    role: Role
    counts: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[Any]] = field(default_factory=dict)


def for_user(db: Session, rankings: Rankings, user: User) -> Dashboard:
    if user.role is Role.FIRM and user.enterprise_id:
        return _firm(db, rankings, user.enterprise_id)
    if user.role is Role.SME and user.enterprise_id:
        return _sme(db, rankings, user.enterprise_id)
    return _organiser(db, user)


def _firm(db: Session, rankings: Rankings, enterprise_id: str) -> Dashboard:
    board = Dashboard(Role.FIRM)
    statuses = db.execute(
        select(Need.status, func.count()).where(Need.enterprise_id == enterprise_id)
        .group_by(Need.status)
    ).all()  # fmt: skip
    board.counts = {status.value: 0 for status in NeedStatus} | {s.value: n for s, n in statuses}
    answers = db.execute(
        select(Introduction, Need, CapabilityProfile)
        .join(Need, Need.id == Introduction.need_id)
        .join(CapabilityProfile, CapabilityProfile.id == Introduction.profile_id)
        .where(
            Need.enterprise_id == enterprise_id,
            Introduction.origin == IntroductionOrigin.ANSWER,
            Introduction.status == IntroductionStatus.PENDING,
        )
        .order_by(Introduction.created_at.desc())
    ).all()
    board.counts["new_answers"] = len(answers)
    board.items["answers"] = [tuple(row) for row in answers[:TOP_NEEDS]]
    open_needs = db.scalars(
        select(Need).where(Need.enterprise_id == enterprise_id, Need.status == NeedStatus.OPEN)
        .order_by(Need.updated_at.desc()).limit(TOP_NEEDS)
    ).all()  # fmt: skip
    board.items["candidates"] = [
        (need, _undecided_strong(db, rankings, need)) for need in open_needs
    ]
    return board


def _undecided_strong(db: Session, rankings: Rankings, need: Need) -> list[Any]:
    decided = set(
        db.scalars(select(CandidateDecision.profile_id).where(CandidateDecision.need_id == need.id))
    )
    strong = [m for m in rankings.match(db, need.id, 10) if m.score >= STRONG]
    fresh = [m for m in strong if m.profile_id not in decided][:3]
    titles = _profile_titles(db, [m.profile_id for m in fresh])
    return [(m, titles.get(m.profile_id, m.profile_id)) for m in fresh]


def _profile_titles(db: Session, ids: list[str]) -> dict[str, str]:
    rows = db.execute(
        select(CapabilityProfile.id, CapabilityProfile.title).where(CapabilityProfile.id.in_(ids))
    ).all()
    return {str(profile_id): str(title) for profile_id, title in rows}


def _sme(db: Session, rankings: Rankings, enterprise_id: str) -> Dashboard:
    board = Dashboard(Role.SME)
    profiles = db.scalars(
        select(CapabilityProfile).where(CapabilityProfile.enterprise_id == enterprise_id)
        .order_by(CapabilityProfile.updated_at.desc())
    ).all()  # fmt: skip
    published = [p for p in profiles if p.status is ProfileStatus.PUBLISHED]
    board.counts = {"profiles": len(profiles), "published": len(published)}
    invitations = db.execute(
        select(Introduction, Need, CapabilityProfile)
        .join(Need, Need.id == Introduction.need_id)
        .join(CapabilityProfile, CapabilityProfile.id == Introduction.profile_id)
        .where(
            CapabilityProfile.enterprise_id == enterprise_id,
            Introduction.origin == IntroductionOrigin.INVITATION,
            Introduction.status == IntroductionStatus.PENDING,
        )
    ).all()
    board.counts["invitations"] = len(invitations)
    board.items["invitations"] = [tuple(row) for row in invitations[:TOP_NEEDS]]
    recommended: list[Any] = []
    if published:
        matches = rankings.recommend(db, published[0].id, TOP_NEEDS)
        needs = {
            n.id: n
            for n in db.scalars(select(Need).where(Need.id.in_([m.need_id for m in matches])))
        }
        recommended = [(m, needs[m.need_id]) for m in matches if m.need_id in needs]
    board.items["recommended"] = recommended
    board.items["profile"] = published[:1]
    return board


def _organiser(db: Session, user: User) -> Dashboard:
    board = Dashboard(user.role)
    board.counts = {
        "waiting": int(db.scalar(select(func.count()).where(User.confirmed_at.is_(None))) or 0),
        "open_needs": int(
            db.scalar(select(func.count()).where(Need.status == NeedStatus.OPEN)) or 0
        ),
        "profiles": int(
            db.scalar(
                select(func.count()).where(CapabilityProfile.status == ProfileStatus.PUBLISHED)
            )
            or 0
        ),
        "introductions": int(db.scalar(select(func.count(Introduction.id))) or 0),
        "accepted": int(
            db.scalar(
                select(func.count()).where(Introduction.status == IntroductionStatus.ACCEPTED)
            )
            or 0
        ),
    }
    return board
