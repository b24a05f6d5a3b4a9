"""Live feedback on a capability profile being written: its chain segments and what to improve.

Pure functions over the text as typed (valid or not), so the edit page, the htmx preview and
the tests all see the same result; the segment assigner is passed in, never loaded here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from matchmaker.fields import NeedType
from matchmaker.i18n import N_
from matchmaker.matching.analysis import with_explicit
from matchmaker.matching.assign import SegmentAssigner, SegmentScore, cues

SHORT_SUMMARY = 40  # characters; a Chinese summary shorter than this rarely names a process
SHOWN_CONFIDENCE = 0.2  # below this, a segment found without a term is a guess, not a finding
UNSURE_CONFIDENCE = 0.5

NO_SEGMENT = N_("No chain segment recognised: name your products and processes.")
UNSURE_SEGMENT = N_(
    "The chain segments found are uncertain: use the usual names of your products and processes."
)
SHORT_SUMMARY_TEXT = N_(
    "The summary is short: describe what you make, for whom and at what scale "
    "(at least %(count)s characters)."
)
NO_PRODUCTS = N_("Add products: list what you sell, one per line.")
NO_CAPABILITIES = N_("Add capabilities: the processes and services you master, one per line.")
NO_CERTIFICATION = N_(
    "No certification listed: many needs ask for ISO 9001, IATF 16949 and the like; "
    "list the ones you hold."
)
NOT_OPEN = N_("Not open to any need type: tick the kinds of needs you will answer.")
NO_FUNDING_STAGE = N_("Open to investment but no funding stage given: add your current round.")
NO_REGION = N_("No service region listed: add the regions you can serve.")
READS_AS_BUYER = N_(
    "The text reads as if you buy these products: describe what you make or provide yourself."
)
READS_AS_DISTRIBUTOR = N_(
    "The text reads like a distributor's: say what you make or add yourself, if anything."
)


@dataclass(frozen=True)
class Draft:
    """A profile as typed in the form, before validation."""

    title: str = ""
    summary: str = ""
    capabilities: Sequence[str] = ()
    products: Sequence[str] = ()
    certifications: Sequence[str] = ()
    regions: Sequence[str] = ()
    open_to: Sequence[str] = ()
    funding_stage: str = ""
    segments: Sequence[str] = ()  # chosen by the SME

    def fields(self) -> list[tuple[str, float]]:
        """The weighted text fields, as the engine reads a published profile."""
        offered = " ".join((*self.capabilities, *self.products))
        return [(self.title, 2.0), (offered, 1.5), (self.summary, 1.0)]

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.fields() if text)


@dataclass(frozen=True)
class SegmentHit:
    segment_id: str
    name: str
    name_en: str
    chain: str
    chain_en: str
    confidence: float
    terms: tuple[str, ...]
    chosen: bool


@dataclass(frozen=True)
class Advice:
    """One suggestion: an English msgid and the values for its placeholders."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Preview:
    segments: list[SegmentHit]
    advice: list[Advice]


def segments_of(draft: Draft, assigner: SegmentAssigner) -> list[SegmentHit]:
    """The segments the engine would give this profile, weak guesses left out."""
    known = [s for s in draft.segments if s in assigner.chain_graph.segments]
    found = assigner.assign(draft.fields(), offered=True) if draft.text.strip() else []
    graph = assigner.chain_graph
    hits = []
    for score in with_explicit(found, known):
        if not _shown(score, known):
            continue
        segment = graph.segments[score.segment_id]
        chain = graph.chains[segment.chain]
        hits.append(
            SegmentHit(
                segment_id=segment.id,
                name=segment.name,
                name_en=segment.name_en or segment.name,
                chain=chain.name,
                chain_en=chain.name_en or chain.name,
                confidence=score.confidence,
                terms=score.terms,
                chosen=segment.id in known,
            )
        )
    return hits


def _shown(score: SegmentScore, chosen: Sequence[str]) -> bool:
    return score.segment_id in chosen or bool(score.terms) or score.confidence >= SHOWN_CONFIDENCE


def advice(draft: Draft, segments: Sequence[SegmentHit]) -> list[Advice]:
    """What would make the profile easier to match, most important first."""
    result: list[Advice] = []
    if not segments:
        result.append(Advice(NO_SEGMENT))
    elif max(s.confidence for s in segments) < UNSURE_CONFIDENCE:
        result.append(Advice(UNSURE_SEGMENT))
    if len(draft.summary.strip()) < SHORT_SUMMARY:
        result.append(Advice(SHORT_SUMMARY_TEXT, {"count": SHORT_SUMMARY}))
    if not draft.products:
        result.append(Advice(NO_PRODUCTS))
    if not draft.capabilities:
        result.append(Advice(NO_CAPABILITIES))
    if not draft.certifications:
        result.append(Advice(NO_CERTIFICATION))
    if not draft.open_to:
        result.append(Advice(NOT_OPEN))
    elif NeedType.INVESTMENT.value in draft.open_to and not draft.funding_stage.strip():
        result.append(Advice(NO_FUNDING_STAGE))
    if not draft.regions:
        result.append(Advice(NO_REGION))
    found = cues(draft.text, draft.title)
    if found.buyer:
        result.append(Advice(READS_AS_BUYER))
    if found.distributor:
        result.append(Advice(READS_AS_DISTRIBUTOR))
    return result


def preview(draft: Draft, assigner: SegmentAssigner) -> Preview:
    segments = segments_of(draft, assigner)
    return Preview(segments=segments, advice=advice(draft, segments))
