"""Display names of every enumeration value, as msgids translated where they are shown."""

from __future__ import annotations

from enum import StrEnum

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from matchmaker.fields import (
    CloseReason,
    Decision,
    DismissReason,
    EnterpriseSize,
    EventStatus,
    IntroductionOrigin,
    IntroductionStatus,
    MeetingOutcome,
    MeetingStatus,
    NeedStatus,
    NeedType,
    Participation,
    ProfileStatus,
    Role,
)
from matchmaker.i18n import N_, translate_in
from matchmaker.matching.explain import Reason
from matchmaker.matching.wording import sentence

# (member, msgid) pairs: members of different enums can share a value ("accepted"), so
# labels are looked up by enum type and value, never by value alone.
_PAIRS: tuple[tuple[StrEnum, str], ...] = (
    (NeedType.TECHNOLOGY, N_("Technology R&D")),
    (NeedType.SUPPLY_CHAIN, N_("Supply chain")),
    (NeedType.INVESTMENT, N_("Investment")),
    (NeedType.INCUBATION, N_("Incubation")),
    (NeedType.SERVICE, N_("Services")),
    (NeedStatus.DRAFT, N_("Draft")),
    (NeedStatus.OPEN, N_("Open")),
    (NeedStatus.CLOSED, N_("Closed")),
    (CloseReason.FILLED, N_("Filled")),
    (CloseReason.WITHDRAWN, N_("Withdrawn")),
    (CloseReason.EXPIRED, N_("Expired")),
    (ProfileStatus.DRAFT, N_("Draft")),
    (ProfileStatus.PUBLISHED, N_("Published")),
    (Role.FIRM, N_("Large enterprise")),
    (Role.SME, N_("SME")),
    (Role.ORGANISER, N_("Organiser")),
    (Role.ADMIN, N_("Administrator")),
    (EnterpriseSize.LARGE, N_("Large")),
    (EnterpriseSize.MEDIUM, N_("Medium")),
    (EnterpriseSize.SMALL, N_("Small")),
    (EnterpriseSize.MICRO, N_("Micro")),
    (IntroductionOrigin.ANSWER, N_("Answer")),
    (IntroductionOrigin.INVITATION, N_("Invitation")),
    (IntroductionStatus.PENDING, N_("Pending")),
    (IntroductionStatus.ACCEPTED, N_("Accepted")),
    (IntroductionStatus.DECLINED, N_("Declined")),
    (Decision.SHORTLISTED, N_("Shortlisted")),
    (Decision.DISMISSED, N_("Dismissed")),
    (DismissReason.WRONG_SEGMENT, N_("Wrong chain segment")),
    (DismissReason.LACKS_CERTIFICATION, N_("Lacks a certification")),
    (DismissReason.TOO_SMALL, N_("Too small")),
    (DismissReason.REGION, N_("Region does not fit")),
    (DismissReason.OTHER, N_("Other")),
    (EventStatus.DRAFT, N_("Draft")),
    (EventStatus.PUBLISHED, N_("Published")),
    (EventStatus.FINISHED, N_("Finished")),
    (Participation.INVITED, N_("Invited")),
    (Participation.APPLIED, N_("Applied")),
    (Participation.ACCEPTED, N_("Taking part")),
    (Participation.DECLINED, N_("Declined")),
    (Participation.REJECTED, N_("Not accepted")),
    (MeetingStatus.REQUESTED, N_("Requested")),
    (MeetingStatus.ACCEPTED, N_("Accepted")),
    (MeetingStatus.DECLINED, N_("Declined")),
    (MeetingStatus.HELD, N_("Held")),
    (MeetingStatus.CANCELLED, N_("Cancelled")),
    (MeetingOutcome.NO_FIT, N_("No fit")),
    (MeetingOutcome.FOLLOW_UP, N_("Follow-up")),
    (MeetingOutcome.IN_PREPARATION, N_("Agreement in preparation")),
    (MeetingOutcome.SIGNED, N_("Signed")),
)
LABELS: dict[tuple[type, str], str] = {(type(m), m.value): text for m, text in _PAIRS}


def label_of(value: StrEnum) -> str:
    """The English msgid of an enum value; unknown values show as themselves."""
    return LABELS.get((type(value), str(value)), str(value))


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, label_of(member)) for member in enum]


def install(env: Environment) -> None:
    """`{{ need.status | label }}` shows the value's name in the page's language."""

    @pass_context
    def label(context: Context, value: StrEnum) -> str:
        return translate_in(context, label_of(value))

    @pass_context
    def reason(context: Context, value: Reason) -> str:
        return sentence(value, context.get("locale", "zh_Hans"))

    env.filters["label"] = label
    env.filters["reason"] = reason
    env.globals["choices"] = choices
