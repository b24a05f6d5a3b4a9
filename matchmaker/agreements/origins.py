"""Where an agreement comes from: an accepted introduction or an accepted event meeting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker import policy
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden, InvalidState, NotFound
from matchmaker.events.models import Event, EventNeed, EventSME, Meeting
from matchmaker.fields import (
    AgreementType,
    EventStatus,
    IntroductionStatus,
    MeetingStatus,
    NeedType,
    Participation,
)
from matchmaker.i18n import N_
from matchmaker.introductions.models import Introduction
from matchmaker.needs.models import Need
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile

TYPE_OF_NEED = {
    NeedType.TECHNOLOGY: AgreementType.TECHNOLOGY,
    NeedType.SUPPLY_CHAIN: AgreementType.SUPPLY,
    NeedType.INVESTMENT: AgreementType.INVESTMENT,
    NeedType.INCUBATION: AgreementType.INCUBATION,
    NeedType.SERVICE: AgreementType.SERVICE,
}
MET = (MeetingStatus.ACCEPTED, MeetingStatus.HELD)


@dataclass(frozen=True)
class Origin:
    """The two parties of a future agreement and where they met."""

    firm: Enterprise
    sme: Enterprise
    need: Need
    profile: CapabilityProfile
    event_id: str | None = None
    meeting_id: str | None = None
    introduction_id: str | None = None

    @property
    def key(self) -> str:
        """The query string that names this origin on the draft form."""
        if self.meeting_id is not None:
            return f"meeting={self.meeting_id}"
        return f"introduction={self.introduction_id}"

    def suggestion(self) -> dict[str, object]:
        """Initial form values: the need's title and its kind of cooperation."""
        return {"subject": self.need.title, "type": TYPE_OF_NEED[self.need.type].value}


def _parties(
    db: Session, actor: Actor, need: Need, profile: CapabilityProfile
) -> tuple[Enterprise, Enterprise]:
    firm = db.get(Enterprise, need.enterprise_id)
    sme = db.get(Enterprise, profile.enterprise_id)
    if firm is None or sme is None:
        raise NotFound("an enterprise of this pair no longer exists")
    if not policy.is_party(actor, firm.id, sme.id):
        raise Forbidden(N_("only members of the two enterprises may draft their agreement"))
    return firm, sme


def _need_and_profile(db: Session, need_id: str, profile_id: str) -> tuple[Need, CapabilityProfile]:
    need = db.get(Need, need_id)
    profile = db.get(CapabilityProfile, profile_id)
    if need is None or profile is None:
        raise NotFound("the need or the profile of this pair no longer exists")
    return need, profile


def from_introduction(db: Session, *, actor: Actor, introduction_id: str) -> Origin:
    intro = db.get(Introduction, introduction_id)
    if intro is None:
        raise NotFound(f"introduction {introduction_id!r} does not exist")
    need, profile = _need_and_profile(db, intro.need_id, intro.profile_id)
    firm, sme = _parties(db, actor, need, profile)
    if intro.status is not IntroductionStatus.ACCEPTED:
        raise InvalidState(N_("an agreement can be drafted once the introduction is accepted"))
    event_id = shared_event(db, need.id, sme.id)
    return Origin(firm, sme, need, profile, event_id=event_id, introduction_id=intro.id)


def from_meeting(db: Session, *, actor: Actor, meeting_id: str) -> Origin:
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"meeting {meeting_id!r} does not exist")
    need, profile = _need_and_profile(db, meeting.need_id, meeting.profile_id)
    firm, sme = _parties(db, actor, need, profile)
    if meeting.status not in MET:
        raise InvalidState(N_("an agreement can be drafted once the meeting is accepted"))
    return Origin(firm, sme, need, profile, event_id=meeting.event_id, meeting_id=meeting.id)


def shared_event(db: Session, need_id: str, sme_id: str) -> str | None:
    """The latest published or finished event where both the need and the SME take part."""
    return db.scalar(
        select(Event.id)
        .join(EventNeed, EventNeed.event_id == Event.id)
        .join(EventSME, EventSME.event_id == Event.id)
        .where(
            EventNeed.need_id == need_id,
            EventNeed.status == Participation.ACCEPTED,
            EventSME.enterprise_id == sme_id,
            EventSME.status == Participation.ACCEPTED,
            Event.status != EventStatus.DRAFT,
        )
        .order_by(Event.starts_at.desc())
        .limit(1)
    )


def ready(db: Session, *, actor: Actor) -> list[Origin]:
    """Accepted introductions and meetings of the actor's enterprise, newest first."""
    if actor is None or actor.enterprise_id is None or actor.role not in policy.MEMBER_ROLES:
        return []
    mine = or_(
        Need.enterprise_id == actor.enterprise_id,
        CapabilityProfile.enterprise_id == actor.enterprise_id,
    )
    found: list[Origin] = []
    meetings = db.scalars(
        select(Meeting)
        .join(Need, Need.id == Meeting.need_id)
        .join(CapabilityProfile, CapabilityProfile.id == Meeting.profile_id)
        .where(mine, Meeting.status.in_(MET))
        .order_by(Meeting.created_at.desc())
    )
    for meeting in meetings:
        found.append(from_meeting(db, actor=actor, meeting_id=meeting.id))
    intros = db.scalars(
        select(Introduction)
        .join(Need, Need.id == Introduction.need_id)
        .join(CapabilityProfile, CapabilityProfile.id == Introduction.profile_id)
        .where(mine, Introduction.status == IntroductionStatus.ACCEPTED)
        .order_by(Introduction.responded_at.desc())
    )
    for intro in intros:
        found.append(from_introduction(db, actor=actor, introduction_id=intro.id))
    return found
