"""What the engine knows about a need or a profile: analysed text, segments and facts.

Documents are plain data built from records, so the engine never touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matchmaker.matching.assign import Cues, SegmentScore, cues
from matchmaker.matching.text import normalise

_CERT_NOISE = re.compile(r"[\s\-_:：/（）()]+")
EARLY_STAGES = frozenset({"未融资", "天使轮", "种子轮", "pre-a轮", "a轮", "a+轮"})
LATE_STAGES = frozenset({"c轮", "c轮及以后", "d轮", "pre-ipo", "已上市", "上市"})
PRIOR_TAGS = {"专精特新小巨人": 1.0, "专精特新": 0.7, "高新技术企业": 0.5, "科技型中小企业": 0.3}
YANGTZE_DELTA = frozenset(
    {"上海", "上海市", "江苏", "江苏省", "浙江", "浙江省", "安徽", "安徽省", "长三角"}
)


def cert_key(name: str) -> str:
    """IATF 16949, iatf16949 and IATF-16949:2016 all become iatf16949(2016)."""
    return _CERT_NOISE.sub("", normalise(name))


@dataclass(slots=True)
class NeedDoc:
    id: str
    enterprise_id: str
    type: str
    title: str
    text: str
    certifications: tuple[str, ...]
    regions: tuple[str, ...]
    status: str = "open"
    explicit: tuple[str, ...] = ()  # segments the poster chose
    segments: list[SegmentScore] = field(default_factory=list)
    cert_keys: tuple[str, ...] = ()
    region_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Normalised once here, not once per ranked pair.
        self.cert_keys = tuple(cert_key(c) for c in self.certifications)
        self.region_keys = tuple(normalise(r) for r in self.regions)

    def fields(self) -> list[tuple[str, float]]:
        return [(self.title, 2.0), (self.text, 1.0)]


@dataclass(slots=True)
class ProfileDoc:
    id: str
    enterprise_id: str
    title: str
    capabilities: str
    summary: str
    certifications: tuple[str, ...]
    regions: tuple[str, ...]
    district: str
    city: str
    open_to: frozenset[str]
    funding_stage: str
    tags: tuple[str, ...]
    explicit: tuple[str, ...] = ()  # segments the SME chose
    segments: list[SegmentScore] = field(default_factory=list)
    cues: Cues = field(default_factory=lambda: Cues(buyer=False, distributor=False))
    cert_keys: tuple[str, ...] = ()
    served: frozenset[str] = frozenset()
    stage: str = ""

    def __post_init__(self) -> None:
        self.cert_keys = tuple(k for k in (cert_key(c) for c in self.certifications) if k)
        places = (*self.regions, self.district, self.city)
        self.served = frozenset(normalise(r) for r in places if r)
        self.stage = normalise(self.funding_stage)

    @property
    def text(self) -> str:
        return " ".join((self.title, self.capabilities, self.summary))

    def fields(self) -> list[tuple[str, float]]:
        return [(self.title, 2.0), (self.capabilities, 1.5), (self.summary, 1.0)]


def need_doc(record: dict[str, object]) -> NeedDoc:
    requirements = " ".join(_strings(record.get("requirements")))
    return NeedDoc(
        id=str(record["id"]),
        enterprise_id=str(record["enterprise_id"]),
        type=str(record["type"]),
        title=str(record["title"]),
        text=" ".join((str(record["title"]), str(record["description"]), requirements)),
        certifications=tuple(_strings(record.get("certifications"))),
        regions=tuple(_strings(record.get("regions"))),
        status=str(record.get("status") or "open"),
        explicit=tuple(_strings(record.get("segments"))),
    )


def profile_doc(record: dict[str, object], enterprise: dict[str, object]) -> ProfileDoc:
    capabilities = " ".join(_strings(record.get("capabilities")) + _strings(record.get("products")))
    doc = ProfileDoc(
        id=str(record["id"]),
        enterprise_id=str(record["enterprise_id"]),
        title=str(record["title"]),
        capabilities=capabilities,
        summary=str(record["summary"]),
        certifications=tuple(_strings(record.get("certifications"))),
        regions=tuple(_strings(record.get("regions"))),
        district=str(enterprise.get("district") or ""),
        city=str(enterprise.get("city") or ""),
        open_to=frozenset(_strings(record.get("open_to"))),
        funding_stage=str(record.get("funding_stage") or ""),
        tags=tuple(_strings(enterprise.get("tags"))),
        explicit=tuple(_strings(record.get("segments"))),
    )
    doc.cues = cues(doc.text, doc.title)
    return doc


def _strings(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return []
