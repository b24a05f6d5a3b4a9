"""Explanations in words: Chinese (the engine's own language and the CLI's) and English.

The engine keeps its wording here rather than in the portal's message catalogues, so that
it stays usable without the web application; the portal picks the language per reader.
"""

from __future__ import annotations

from matchmaker.matching.chain import RELATION_WORDS
from matchmaker.matching.explain import Reason

TYPE_NAMES = {
    "zh": {"technology": "技术研发", "supply_chain": "供应链", "investment": "投资",
           "incubation": "孵化", "service": "服务"},
    "en": {"technology": "technology R&D", "supply_chain": "supply-chain",
           "investment": "investment", "incubation": "incubation", "service": "service"},
}  # fmt: skip

SENTENCES = {
    "zh": {
        "terms": "文本匹配：{items}",
        "chain_unrelated": "产业链：需求环节与企业主营环节无直接关联",
        "certs_met": "具备所需认证：{items}",
        "certs_missing": "缺少所需认证：{items}",
        "region_fit": "服务区域符合：{items}",
        "region_miss": "服务区域不符：需求偏好{items}",
        "type_open": "愿意承接{type}类需求",
        "type_not_open": "未表明承接{type}类需求",
        "funding": "融资阶段：{stage}（{verdict}）",
        "tags": "企业资质：{items}",
        "cue_buyer": "注意：画像显示该企业更像采购方或使用方",
        "cue_distributor": "注意：画像显示该企业以代理、经销为主",
        "cue_investor": "注意：该画像属于投资或孵化机构，而非项目方",
        "downstream": "注意：该企业处于需求环节的下游",
    },
    "en": {
        "terms": "Shared terms: {items}",
        "chain_unrelated": "Chain: the need's segment and the company's main segment are unrelated",
        "certs_met": "Has the required certifications: {items}",
        "certs_missing": "Lacks required certifications: {items}",
        "region_fit": "Serves the preferred region: {items}",
        "region_miss": "Outside the preferred region: {items}",
        "type_open": "Open to {type} needs",
        "type_not_open": "Has not said it takes {type} needs",
        "funding": "Funding stage: {stage} ({verdict})",
        "tags": "Enterprise status: {items}",
        "cue_buyer": "Note: the profile reads like a buyer or user, not a supplier",
        "cue_distributor": "Note: the profile reads like an agent or distributor",
        "cue_investor": "Note: this profile belongs to an investor or incubator, not a project",
        "downstream": "Note: the company sits downstream of the asked segment",
    },
}

VERDICTS = {
    "zh": {"early": "符合早期投资方向", "late": "阶段偏后", "unknown": "阶段待确认"},
    "en": {"early": "fits early-stage investment", "late": "later stage", "unknown": "to confirm"},
}


def _language(locale: str) -> str:
    return "en" if locale.startswith("en") else "zh"


def chain_sentence(params: dict[str, str], language: str) -> str:
    if language == "en":
        names = {"asked": params["asked_en"], "offered": params["offered_en"],
                 "chain": params["chain_en"]}  # fmt: skip
        return "Chain: " + RELATION_WORDS["en"][params["relation"]].format(**names)
    return "产业链：" + RELATION_WORDS["zh"][params["relation"]].format(**params)


def sentence(reason: Reason, locale: str = "zh") -> str:
    """One reason as a sentence in the reader's language (Chinese unless English)."""
    language = _language(locale)
    if reason.kind == "chain":
        return chain_sentence(reason.params, language)
    values = dict(reason.params)
    values["items"] = ("、" if language == "zh" else ", ").join(reason.items)
    if "type" in values:
        values["type"] = TYPE_NAMES[language].get(values["type"], values["type"])
    if "verdict" in values:
        values["verdict"] = VERDICTS[language][values["verdict"]]
    return SENTENCES[language][reason.kind].format(**values)


def sentences(reasons: list[Reason], locale: str = "zh") -> list[str]:
    return [sentence(reason, locale) for reason in reasons]
