"""Reasons in Chinese for one match: matched terms, chain relation, facts and gaps."""

from __future__ import annotations

from matchmaker.matching.chain import Relation, Relations
from matchmaker.matching.documents import NeedDoc, ProfileDoc
from matchmaker.matching.features import best_relation, certifications, graph_match, region_fit

TYPE_NAMES = {
    "technology": "技术研发",
    "supply_chain": "供应链",
    "investment": "投资",
    "incubation": "孵化",
    "service": "服务",
}


def reasons(
    need: NeedDoc,
    profile: ProfileDoc,
    features: dict[str, float],
    matched_terms: list[str],
    relations: Relations,
) -> list[str]:
    result: list[str] = []
    if matched_terms:
        result.append("文本匹配：" + "、".join(matched_terms[:6]))
    match = best_relation(graph_match(need, profile, relations))
    if match is not None and match.asked and match.offered:
        result.append("产业链：" + relations.describe(match.asked, match.offered))
    elif need.segments and profile.segments:
        result.append("产业链：需求环节与企业主营环节无直接关联")
    met, missing = certifications(need, profile)
    if met:
        result.append("具备所需认证：" + "、".join(met))
    if missing:
        result.append("缺少所需认证：" + "、".join(missing))
    region = region_fit(need, profile)
    if region is True:
        result.append("服务区域符合：" + "、".join(need.regions))
    elif region is False:
        result.append("服务区域不符：需求偏好" + "、".join(need.regions))
    kind = TYPE_NAMES.get(need.type, need.type)
    if features.get("type_open"):
        result.append(f"愿意承接{kind}类需求")
    elif features.get("type_not_open"):
        result.append(f"未表明承接{kind}类需求")
    if need.type == "investment" and profile.funding_stage:
        fit = features.get("funding_fit", 0.0)
        verdict = "符合早期投资方向" if fit > 0 else ("阶段偏后" if fit < 0 else "阶段待确认")
        result.append(f"融资阶段：{profile.funding_stage}（{verdict}）")
    tags = [t for t in profile.tags if t in ("专精特新小巨人", "专精特新", "高新技术企业")]
    if tags:
        result.append("企业资质：" + "、".join(tags))
    if features.get("cue_buyer"):
        result.append("注意：画像显示该企业更像采购方或使用方")
    if features.get("cue_distributor"):
        result.append("注意：画像显示该企业以代理、经销为主")
    if features.get("cue_investor"):
        result.append("注意：该画像属于投资或孵化机构，而非项目方")
    if match is not None and match.relation is Relation.BUYER:
        result.append("注意：该企业处于需求环节的下游")
    return result
