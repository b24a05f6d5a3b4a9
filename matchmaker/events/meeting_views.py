"""Read meetings with the records shown beside them, and who may see which."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, aliased

from matchmaker import policy
from matchmaker.enterprises.models import Enterprise
from matchmaker.errors import Forbidden, NotFound
from matchmaker.events import service as events
from matchmaker.events.models import Event, EventNeed, EventSME, Meeting
from matchmaker.fields import MeetingStatus, Participation, Side
from matchmaker.needs.models import Need
from matchmaker.policy import Actor
from matchmaker.profiles.models import CapabilityProfile

ACTIVE = (MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED, MeetingStatus.HELD)
AGREED = (MeetingStatus.ACCEPTED, MeetingStatus.HELD)


@dataclass(frozen=True)
class MeetingView:
    """A meeting with its need, profile and both enterprises."""

    meeting: Meeting
    need: Need
    profile: CapabilityProfile
    firm: Enterprise
    sme: Enterprise

    @property
    def awaiting(self) -> tuple[str, ...]:
        """Enterprises whose answer the meeting waits for (an organiser proposal: both)."""
        if self.meeting.status is not MeetingStatus.REQUESTED:
            return ()
        by = self.meeting.requested_by
        if by is Side.ORGANISER:
            return (self.firm.id, self.sme.id)
        return (self.sme.id,) if by is Side.FIRM else (self.firm.id,)

    @property
    def requester(self) -> str | None:
        """The enterprise whose request it is, None while it is an organiser proposal."""
        by = self.meeting.requested_by
        return self.firm.id if by is Side.FIRM else self.sme.id if by is Side.SME else None

    def counterpart(self, enterprise_id: str) -> Enterprise:
        return self.sme if enterprise_id == self.firm.id else self.firm

    def side_of(self, enterprise_id: str | None) -> Side | None:
        if enterprise_id == self.firm.id:
            return Side.FIRM
        return Side.SME if enterprise_id == self.sme.id else None


@dataclass(frozen=True)
class RequestOptions:
    """What a member may pick in the request form: own needs or profile, and counterparts."""

    needs: list[Need]  # the needs the actor may request for, or may be asked about
    profiles: list[tuple[CapabilityProfile, Enterprise]]  # accepted SMEs of the event
    side: Side | None  # the actor's side in this event, None when not taking part


def get_event(db: Session, *, actor: Actor, event_id: str) -> Event:
    """The event as the actor may see it (drafts only for their organiser and admins)."""
    return events.get(db, actor=actor, event_id=event_id)


def load_event(db: Session, event_id: str) -> Event:
    """Without a permission check: for the CLI."""
    event = db.get(Event, event_id)
    if event is None:
        raise NotFound(f"event {event_id!r} does not exist")
    return event


def _rows(db: Session, *conditions: ColumnElement[bool]) -> list[MeetingView]:
    """Meetings with their records, in the order of the day (unplaced ones last)."""
    firm = aliased(Enterprise)
    sme = aliased(Enterprise)
    statement = (
        select(Meeting, Need, CapabilityProfile, firm, sme)
        .join(Need, Need.id == Meeting.need_id)
        .join(CapabilityProfile, CapabilityProfile.id == Meeting.profile_id)
        .join(firm, firm.id == Need.enterprise_id)
        .join(sme, sme.id == CapabilityProfile.enterprise_id)
        .where(*conditions)
        .order_by(Meeting.slot.is_(None), Meeting.slot, Meeting.table, Meeting.created_at)
    )
    return [
        MeetingView(meeting, need, profile, firm_row, sme_row)
        for meeting, need, profile, firm_row, sme_row in db.execute(statement)
    ]


def get_view(
    db: Session, *, actor: Actor, meeting_id: str, event_id: str | None = None
) -> MeetingView:
    """One meeting for one of its sides, the organiser or an admin; 404 for anyone else."""
    found = _rows(db, Meeting.id == meeting_id)
    if not found or (event_id is not None and found[0].meeting.event_id != event_id):
        raise NotFound(f"meeting {meeting_id!r} does not exist")
    view = found[0]
    event = get_event(db, actor=actor, event_id=view.meeting.event_id)
    if not policy.can_see_meeting(actor, event, view.firm.id, view.sme.id):
        raise NotFound(f"meeting {meeting_id!r} does not exist")
    return view


def for_event(db: Session, *, actor: Actor, event_id: str) -> list[MeetingView]:
    """Every meeting of the event, for its organiser and admins."""
    event = get_event(db, actor=actor, event_id=event_id)
    if not policy.can_run_meetings(actor, event):
        raise Forbidden("only the event's organiser and admins see all its meetings")
    return all_of(db, event.id)


def all_of(db: Session, event_id: str) -> list[MeetingView]:
    """Without a permission check: for the scheduler, the CLI and exports."""
    return _rows(db, Meeting.event_id == event_id)


def for_enterprise(
    db: Session, *, actor: Actor, event_id: str, enterprise_id: str
) -> list[MeetingView]:
    """One participant's meetings: its members, the organiser and admins."""
    event = get_event(db, actor=actor, event_id=event_id)
    if not (policy.is_member(actor, enterprise_id) or policy.can_run_meetings(actor, event)):
        raise Forbidden("only the enterprise's members and the organiser see its meetings")
    return of_enterprise(db, event.id, enterprise_id)


def of_enterprise(db: Session, event_id: str, enterprise_id: str) -> list[MeetingView]:
    return _rows(
        db,
        Meeting.event_id == event_id,
        or_(Need.enterprise_id == enterprise_id, CapabilityProfile.enterprise_id == enterprise_id),
    )


def request_options(db: Session, *, actor: Actor, event_id: str) -> RequestOptions:
    event = get_event(db, actor=actor, event_id=event_id)
    needs = list(
        db.scalars(
            select(Need)
            .join(EventNeed, EventNeed.need_id == Need.id)
            .where(EventNeed.event_id == event.id, EventNeed.status == Participation.ACCEPTED)
            .order_by(Need.title, Need.id)
        )
    )
    profiles = [
        (profile, enterprise)
        for profile, enterprise in db.execute(
            select(CapabilityProfile, Enterprise)
            .join(EventSME, EventSME.profile_id == CapabilityProfile.id)
            .join(Enterprise, Enterprise.id == EventSME.enterprise_id)
            .where(EventSME.event_id == event.id, EventSME.status == Participation.ACCEPTED)
            .order_by(Enterprise.name, CapabilityProfile.id)
        )
    ]
    own = actor.enterprise_id if actor is not None else None
    own_needs = [need for need in needs if policy.is_member(actor, need.enterprise_id)]
    if own_needs:
        return RequestOptions(own_needs, profiles, Side.FIRM)
    if own is not None and any(enterprise.id == own for _p, enterprise in profiles):
        mine = [(p, e) for p, e in profiles if e.id == own and policy.is_member(actor, e.id)]
        return RequestOptions(needs, mine, Side.SME if mine else None)
    return RequestOptions([], [], None)
