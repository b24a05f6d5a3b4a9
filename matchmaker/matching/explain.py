"""Why a profile fits a need: matched terms, chain relation, facts and gaps.

Reasons are data (a kind and its values) so that each reader gets them in their language;
`matchmaker.matching.wording` turns them into Chinese or English sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchmaker.matching.chain import Relation, Relations
from matchmaker.matching.documents import NeedDoc, ProfileDoc
from matchmaker.matching.features import best_relation, certifications, graph_match, region_fit

SHOWN_TAGS = ("专精特新小巨人", "专精特新", "高新技术企业")


@dataclass(frozen=True)
class Reason:
    """One line of an explanation. `items` are names shown as they are (terms, certificates,
    regions, tags); `params` are the other values the wording needs."""

    kind: str
    items: tuple[str, ...] = ()
    params: dict[str, str] = field(default_factory=dict)


def _chain(relations: Relations, asked: str, offered: str) -> Reason:
    segments, chains = relations.chain_graph.segments, relations.chain_graph.chains
    a, o = segments[asked], segments[offered]
    return Reason(
        "chain",
        params={
            "relation": relations.relation(asked, offered).value,
            "asked": a.name,
            "offered": o.name,
            "asked_en": a.name_en,
            "offered_en": o.name_en,
            "chain": chains[a.chain].name,
            "chain_en": chains[a.chain].name_en,
        },
    )


def explain(
    need: NeedDoc,
    profile: ProfileDoc,
    features: dict[str, float],
    matched_terms: list[str],
    relations: Relations,
) -> list[Reason]:
    result: list[Reason] = []
    if matched_terms:
        result.append(Reason("terms", tuple(matched_terms[:6])))
    match = best_relation(graph_match(need, profile, relations))
    if match is not None and match.asked and match.offered:
        result.append(_chain(relations, match.asked, match.offered))
    elif need.segments and profile.segments:
        result.append(Reason("chain_unrelated"))
    met, missing = certifications(need, profile)
    if met:
        result.append(Reason("certs_met", tuple(met)))
    if missing:
        result.append(Reason("certs_missing", tuple(missing)))
    region = region_fit(need, profile)
    if region is True:
        result.append(Reason("region_fit", tuple(need.regions)))
    elif region is False:
        result.append(Reason("region_miss", tuple(need.regions)))
    if features.get("type_open"):
        result.append(Reason("type_open", params={"type": need.type}))
    elif features.get("type_not_open"):
        result.append(Reason("type_not_open", params={"type": need.type}))
    if need.type == "investment" and profile.funding_stage:
        fit = features.get("funding_fit", 0.0)
        verdict = "early" if fit > 0 else ("late" if fit < 0 else "unknown")
        result.append(
            Reason("funding", params={"stage": profile.funding_stage, "verdict": verdict})
        )
    tags = tuple(t for t in profile.tags if t in SHOWN_TAGS)
    if tags:
        result.append(Reason("tags", tags))
    for cue in ("cue_buyer", "cue_distributor", "cue_investor"):
        if features.get(cue):
            result.append(Reason(cue))
    if match is not None and match.relation is Relation.BUYER:
        result.append(Reason("downstream"))
    return result
