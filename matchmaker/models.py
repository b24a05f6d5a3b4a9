"""Every ORM model, imported in one place so the metadata is complete for Alembic."""

from matchmaker.accounts.models import ApiToken, LoginSession, PasswordReset, User
from matchmaker.agreements.models import (
    Agreement,
    AgreementApproval,
    AgreementComment,
    AgreementSignature,
    EnterpriseKey,
    LedgerEntry,
)
from matchmaker.audit.models import AuditEvent
from matchmaker.changes.models import Change, DeliveryCursor
from matchmaker.db import Base
from matchmaker.enterprises.models import Enterprise, MeetingConsent
from matchmaker.events.models import Event, EventNeed, EventSME, Meeting, ShortlistEntry
from matchmaker.introductions.models import Introduction
from matchmaker.jobs.models import Job
from matchmaker.needs.models import Need
from matchmaker.notifications.models import Notification
from matchmaker.privacy.models import AccountErasure
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.shortlists.models import CandidateDecision

__all__ = [
    "AccountErasure",
    "Agreement",
    "AgreementApproval",
    "AgreementComment",
    "AgreementSignature",
    "ApiToken",
    "AuditEvent",
    "Base",
    "CandidateDecision",
    "CapabilityProfile",
    "Change",
    "DeliveryCursor",
    "Enterprise",
    "EnterpriseKey",
    "Event",
    "EventNeed",
    "EventSME",
    "Introduction",
    "Job",
    "LedgerEntry",
    "LoginSession",
    "Meeting",
    "MeetingConsent",
    "Need",
    "Notification",
    "PasswordReset",
    "ShortlistEntry",
    "User",
]
