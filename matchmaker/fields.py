"""Enumerations and validated field types shared by the ORM, the API and the importer.

One definition per field keeps the API, the import format and the database in agreement:
a value the API refuses is refused by the importer with the same message.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from matchmaker.uscc import validate_uscc


class EnterpriseSize(StrEnum):
    """National SME size classes (工信部联企业〔2011〕300号): large firms post needs."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


class NeedType(StrEnum):
    TECHNOLOGY = "technology"
    SUPPLY_CHAIN = "supply_chain"
    INVESTMENT = "investment"
    INCUBATION = "incubation"
    SERVICE = "service"


class NeedStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class CloseReason(StrEnum):
    FILLED = "filled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class ProfileStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Role(StrEnum):
    FIRM = "firm"
    SME = "sme"
    ORGANISER = "organiser"
    ADMIN = "admin"


class IntroductionOrigin(StrEnum):
    """Who started the conversation: the SME answering a need, or the firm inviting an SME."""

    ANSWER = "answer"
    INVITATION = "invitation"


class IntroductionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Decision(StrEnum):
    SHORTLISTED = "shortlisted"
    DISMISSED = "dismissed"


class DismissReason(StrEnum):
    """The short list a firm picks from; kept coarse so it can serve as ranker feedback."""

    WRONG_SEGMENT = "wrong_segment"
    LACKS_CERTIFICATION = "lacks_certification"
    TOO_SMALL = "too_small"
    REGION = "region"
    OTHER = "other"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # open for invitations, applications and meeting requests
    FINISHED = "finished"


class Participation(StrEnum):
    """Where an invited need or SME stands with an event."""

    INVITED = "invited"  # the organiser asked; the participant has not answered
    APPLIED = "applied"  # an SME asked to join; the organiser has not answered
    ACCEPTED = "accepted"
    DECLINED = "declined"  # by the participant
    REJECTED = "rejected"  # an application the organiser turned down


class MeetingStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    HELD = "held"
    CANCELLED = "cancelled"


class MeetingOutcome(StrEnum):
    NO_FIT = "no_fit"
    FOLLOW_UP = "follow_up"
    IN_PREPARATION = "in_preparation"  # agreement in preparation
    SIGNED = "signed"


class Side(StrEnum):
    FIRM = "firm"
    SME = "sme"
    ORGANISER = "organiser"


class AgreementType(StrEnum):
    TECHNOLOGY = "technology"  # 技术合作
    SUPPLY = "supply"  # 供货
    INVESTMENT = "investment"
    INCUBATION = "incubation"
    SERVICE = "service"


class AgreementStatus(StrEnum):
    DRAFT = "draft"  # being written; any edit returns here
    APPROVED = "approved"  # both sides approved the current version; ready to sign
    SIGNED = "signed"  # both sides signed


KNOWN_TAGS = ("专精特新", "专精特新小巨人", "高新技术企业", "科技型中小企业")

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_chars(value: str) -> str:
    # Control characters break XLSX export and terminal output; refuse them at the door.
    if _CONTROL.search(value):
        raise ValueError("contains a control character")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


def _none_as_empty_list(value: object) -> object:
    return [] if value is None else value


def _no_duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"lists {value!r} twice")
        seen.add(value)
    return values


RecordId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# Text that is only looked up, never stored (a login's email): still no control characters,
# since PostgreSQL refuses a NUL even in a query.
LookupText = Annotated[str, AfterValidator(_no_control_chars)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_chars),
    AfterValidator(_single_line),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_chars),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000),
    AfterValidator(_no_control_chars),
]
ListItem = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_no_control_chars),
    AfterValidator(_single_line),
]
TextList = Annotated[
    list[ListItem],
    BeforeValidator(_none_as_empty_list),
    Field(max_length=100),
    AfterValidator(_no_duplicates),
]
USCC = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(validate_uscc)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+()\- ]{3,40}$"),
]
Money = Annotated[float, Field(ge=0, le=100_000_000)]


def _known_segments(values: list[str]) -> list[str]:
    from matchmaker.matching.chain import default_chain_graph

    segments = default_chain_graph().segments
    for value in values:
        if value not in segments:
            raise ValueError(f"unknown chain segment {value!r} (see `matchmaker graph show CHAIN`)")
    return values


# Chain segments a user chose explicitly; the matching engine trusts them fully.
SegmentIds = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]],
    BeforeValidator(_none_as_empty_list),
    Field(max_length=10),
    AfterValidator(_no_duplicates),
    AfterValidator(_known_segments),
]
