"""Who may do what: pure checks by role and ownership, shared by the API and the pages.

Services call these and raise Forbidden or NotFound; records a user may not even see are
reported as not found, so ids of drafts do not leak.
"""

from __future__ import annotations

from matchmaker.accounts.models import User
from matchmaker.events.models import Event
from matchmaker.fields import EnterpriseSize, NeedStatus, ProfileStatus, Role
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile

Actor = User | None

MEMBER_ROLES = (Role.FIRM, Role.SME)


def is_admin(actor: Actor) -> bool:
    return actor is not None and actor.role is Role.ADMIN


def is_organiser(actor: Actor) -> bool:
    return actor is not None and actor.role is Role.ORGANISER


def is_member(actor: Actor, enterprise_id: str) -> bool:
    return (
        actor is not None
        and actor.role in MEMBER_ROLES
        and actor.enterprise_id is not None
        and actor.enterprise_id == enterprise_id
    )


def role_fits_size(role: Role, size: EnterpriseSize) -> bool:
    """Firm members belong to large enterprises, SME members to the other sizes."""
    if role is Role.FIRM:
        return size is EnterpriseSize.LARGE
    if role is Role.SME:
        return size is not EnterpriseSize.LARGE
    return False


# Enterprises
def can_create_enterprise(actor: Actor) -> bool:
    return is_admin(actor) or is_organiser(actor)


def can_edit_enterprise(actor: Actor, enterprise_id: str) -> bool:
    return is_admin(actor) or is_member(actor, enterprise_id)


def can_delete_enterprise(actor: Actor) -> bool:
    return is_admin(actor)


def sees_contacts_by_role(actor: Actor, enterprise_id: str) -> bool:
    """Members, organisers and admins see contacts; counterparts need mutual consent."""
    return is_admin(actor) or is_organiser(actor) or is_member(actor, enterprise_id)


# Needs
def can_view_need(actor: Actor, need: Need) -> bool:
    if need.status is not NeedStatus.DRAFT:
        return True
    return is_admin(actor) or is_member(actor, need.enterprise_id)


def can_post_need(actor: Actor, enterprise_id: str) -> bool:
    if is_admin(actor):
        return True
    return actor is not None and actor.role is Role.FIRM and is_member(actor, enterprise_id)


def can_edit_need(actor: Actor, need: Need) -> bool:
    return can_post_need(actor, need.enterprise_id)


# Profiles
def can_view_profile(actor: Actor, profile: CapabilityProfile) -> bool:
    if profile.status is ProfileStatus.PUBLISHED:
        return True
    return is_admin(actor) or is_member(actor, profile.enterprise_id)


def can_write_profile(actor: Actor, enterprise_id: str) -> bool:
    if is_admin(actor):
        return True
    return actor is not None and actor.role is Role.SME and is_member(actor, enterprise_id)


def can_answer_with(actor: Actor, profile: CapabilityProfile) -> bool:
    """Answers speak for an SME, so only its own members send them (not admins)."""
    return actor is not None and actor.role is Role.SME and is_member(actor, profile.enterprise_id)


# Users
def can_manage_users(actor: Actor) -> bool:
    return is_admin(actor)


def can_review_accounts(actor: Actor) -> bool:
    """The account list with its waiting sign-ups: admins and organisers."""
    return is_admin(actor) or is_organiser(actor)


def can_confirm_user(actor: Actor, user: User) -> bool:
    """Admins confirm anyone but themselves; organisers only firm and SME accounts."""
    if actor is None or actor.id == user.id:
        return False
    return is_admin(actor) or (is_organiser(actor) and user.role in MEMBER_ROLES)


def can_deactivate_user(actor: Actor, user: User) -> bool:
    return can_confirm_user(actor, user)


def can_reactivate_user(actor: Actor, user: User) -> bool:
    return is_admin(actor) and actor is not None and actor.id != user.id


# Browsing across every enterprise (the organiser and admin pages)
def can_browse_all(actor: Actor) -> bool:
    return is_admin(actor) or is_organiser(actor)


# Matching
def can_see_matches(actor: Actor, need: Need) -> bool:
    """Ranked candidates of a need: its firm, organisers and admins."""
    return is_admin(actor) or is_organiser(actor) or can_edit_need(actor, need)


def can_see_recommendations(actor: Actor, profile: CapabilityProfile) -> bool:
    """Needs recommended to a profile: its SME, organisers and admins."""
    return is_admin(actor) or is_organiser(actor) or can_write_profile(actor, profile.enterprise_id)


# Events
def can_create_event(actor: Actor) -> bool:
    return is_admin(actor) or is_organiser(actor)


def can_manage_event(actor: Actor, event: Event) -> bool:
    """The organiser who runs the event, and admins."""
    if is_admin(actor):
        return True
    return is_organiser(actor) and actor is not None and event.organiser_id == actor.id


# Event meetings: only the two sides, the event's organiser and admins
def can_request_meeting_for(actor: Actor, enterprise_id: str) -> bool:
    """Requests and answers speak for an enterprise, so only its own members send them."""
    return is_member(actor, enterprise_id)


def can_see_meeting(actor: Actor, event: Event, firm_id: str, sme_id: str) -> bool:
    return can_manage_event(actor, event) or is_member(actor, firm_id) or is_member(actor, sme_id)


def can_run_meetings(actor: Actor, event: Event) -> bool:
    """Propose shortlisted pairs, schedule, mark meetings held, see the table plan."""
    return can_manage_event(actor, event)


# Agreements
def is_party(actor: Actor, firm_id: str, sme_id: str) -> bool:
    """Members of the two enterprises draft, comment, approve and sign."""
    return is_member(actor, firm_id) or is_member(actor, sme_id)


def can_read_agreement(actor: Actor, firm_id: str, sme_id: str) -> bool:
    return is_party(actor, firm_id, sme_id) or is_admin(actor) or is_organiser(actor)


def can_view_wall(actor: Actor, event: Event | None = None) -> bool:
    """The signing wall: an event's organiser (any organiser for the platform wall), admins."""
    if event is not None:
        return can_manage_event(actor, event)
    return is_admin(actor) or is_organiser(actor)
