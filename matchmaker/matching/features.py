"""Pair features: every signal the ranker weighs for one need and one profile.

Pure functions over documents; text similarities arrive precomputed (sparse dot products),
since they are computed for many profiles at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchmaker.matching.chain import RELATION_STRENGTH, Relation, Relations
from matchmaker.matching.documents import (
    EARLY_STAGES,
    LATE_STAGES,
    PRIOR_TAGS,
    YANGTZE_DELTA,
    NeedDoc,
    ProfileDoc,
)

TEXT_FEATURES = ("text_all", "text_title", "text_capabilities", "text_summary")
GRAPH_FEATURES = tuple(
    f"graph_{relation.value}" for relation in Relation if relation is not Relation.UNRELATED
)
FEATURES = (
    *TEXT_FEATURES,
    *GRAPH_FEATURES,
    "cert_met",
    "cert_missing",
    "region_met",
    "region_missing",
    "type_open",
    "type_not_open",
    "funding_fit",
    "tag_prior",
    "cue_buyer",
    "cue_distributor",
    "cue_investor",
)


@dataclass(frozen=True)
class GraphMatch:
    relation: Relation
    strength: float
    asked: str | None
    offered: str | None


def graph_match(
    need: NeedDoc, profile: ProfileDoc, relations: Relations
) -> dict[Relation, GraphMatch]:
    """The strongest pair of segments for each relation type."""
    best: dict[Relation, GraphMatch] = {}
    for asked in need.segments:
        related = relations.related(asked.segment_id)
        for offered in profile.segments:
            relation = related.get(offered.segment_id, Relation.UNRELATED)
            if relation is Relation.UNRELATED:
                continue
            strength = asked.confidence * offered.confidence
            if relation not in best or strength > best[relation].strength:
                best[relation] = GraphMatch(
                    relation, strength, asked.segment_id, offered.segment_id
                )
    return best


def certifications(need: NeedDoc, profile: ProfileDoc) -> tuple[list[str], list[str]]:
    """(met, missing) required certifications, matched loosely on their normalised codes."""
    held = profile.cert_keys
    met: list[str] = []
    missing: list[str] = []
    for required, key in zip(need.certifications, need.cert_keys, strict=True):
        (met if any(key in h or h in key for h in held) else missing).append(required)
    return met, missing


def region_fit(need: NeedDoc, profile: ProfileDoc) -> bool | None:
    """Whether the profile serves or sits in a preferred region; None when none is preferred."""
    if not need.regions:
        return None
    served = profile.served
    if "全国" in served:
        return True
    for wanted in need.region_keys:
        if any(wanted in s or s in wanted for s in served):
            return True
        if wanted == "长三角" and served & YANGTZE_DELTA:
            return True
        if wanted in YANGTZE_DELTA and "长三角" in served:
            return True
    return False


def funding_fit(need: NeedDoc, profile: ProfileDoc) -> float:
    if need.type != "investment":
        return 0.0
    stage = profile.stage
    if stage in EARLY_STAGES or stage.startswith("b"):
        return 1.0
    if stage in LATE_STAGES:
        return -1.0
    return 0.0


def pair_features(
    need: NeedDoc, profile: ProfileDoc, text: dict[str, float], relations: Relations
) -> dict[str, float]:
    values = {name: float(text.get(name, 0.0)) for name in TEXT_FEATURES}
    matches = graph_match(need, profile, relations)
    for relation in Relation:
        if relation is not Relation.UNRELATED:
            match = matches.get(relation)
            values[f"graph_{relation.value}"] = match.strength if match else 0.0
    met, missing = certifications(need, profile)
    required = len(need.certifications)
    values["cert_met"] = len(met) / required if required else 0.0
    values["cert_missing"] = len(missing) / required if required else 0.0
    region = region_fit(need, profile)
    values["region_met"] = 1.0 if region is True else 0.0
    values["region_missing"] = 1.0 if region is False else 0.0
    values["type_open"] = 1.0 if need.type in profile.open_to else 0.0
    values["type_not_open"] = 1.0 if profile.open_to and need.type not in profile.open_to else 0.0
    values["funding_fit"] = funding_fit(need, profile)
    values["tag_prior"] = max((PRIOR_TAGS.get(tag, 0.0) for tag in profile.tags), default=0.0)
    values["cue_buyer"] = 1.0 if profile.cues.buyer else 0.0
    values["cue_distributor"] = 1.0 if profile.cues.distributor else 0.0
    values["cue_investor"] = 1.0 if profile.cues.investor else 0.0
    return values


def best_relation(matches: dict[Relation, GraphMatch]) -> GraphMatch | None:
    """The match an explanation should name: strongest by relation order, then strength."""
    ranked = sorted(matches.values(), key=lambda m: (-RELATION_STRENGTH[m.relation], -m.strength))
    return ranked[0] if ranked else None
