"""Every ORM model, imported in one place so the metadata is complete for Alembic."""

from matchmaker.accounts.models import ApiToken, LoginSession, User
from matchmaker.changes.models import Change
from matchmaker.db import Base
from matchmaker.enterprises.models import Enterprise, MeetingConsent
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile

__all__ = [
    "ApiToken",
    "Base",
    "CapabilityProfile",
    "Change",
    "Enterprise",
    "LoginSession",
    "MeetingConsent",
    "Need",
    "User",
]
