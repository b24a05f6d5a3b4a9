"""Ranked matches over the API, under the same permissions as the records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from matchmaker import policy
from matchmaker.api import problems
from matchmaker.deps import CurrentUser, SessionDep
from matchmaker.errors import Forbidden
from matchmaker.matching.engine import Match
from matchmaker.matching.rankings import Rankings
from matchmaker.matching.schemas import (
    NeedMatches,
    NeedMatchOut,
    ProfileMatchOut,
    ProfileRecommendations,
)
from matchmaker.needs import service as needs
from matchmaker.profiles import service as profiles

router = APIRouter(tags=["matching"])
Limit = Annotated[int, Query(ge=1, le=200, description="How many matches, best first")]


def _scored(match: Match, enterprise_id: str) -> dict[str, Any]:
    return {"enterprise_id": enterprise_id, "score": match.score, "band": match.band,
            "reasons": match.reasons, "features": match.features}  # fmt: skip


def _rankings(request: Request) -> Rankings:
    rankings: Rankings = request.app.state.rankings
    return rankings


@router.get(
    "/needs/{need_id}/matches", response_model=NeedMatches, responses=problems(401, 403, 404)
)
def need_matches(
    request: Request, db: SessionDep, user: CurrentUser, need_id: str, limit: Limit = 20
) -> NeedMatches:
    need = needs.get(db, actor=user, need_id=need_id)
    if not policy.can_see_matches(user, need):
        raise Forbidden("only the posting firm, organisers and admins see a need's candidates")

    matches = _rankings(request).match(db, need_id, limit)
    return NeedMatches(
        need_id=need_id,
        matches=[
            ProfileMatchOut(profile_id=m.profile_id, **_scored(m, m.profile_enterprise_id))
            for m in matches
        ],
    )


@router.get(
    "/profiles/{profile_id}/recommendations",
    response_model=ProfileRecommendations,
    responses=problems(401, 403, 404),
)
def profile_recommendations(
    request: Request, db: SessionDep, user: CurrentUser, profile_id: str, limit: Limit = 20
) -> ProfileRecommendations:
    profile = profiles.get(db, actor=user, profile_id=profile_id)
    if not policy.can_see_recommendations(user, profile):
        raise Forbidden("only the SME itself, organisers and admins see its recommendations")

    matches = _rankings(request).recommend(db, profile_id, limit)
    return ProfileRecommendations(
        profile_id=profile_id,
        matches=[
            NeedMatchOut(need_id=m.need_id, **_scored(m, m.need_enterprise_id)) for m in matches
        ],
    )
