"""Action codes: stable strings stored in audit_events.action (docs/privacy.md lists them)."""

from __future__ import annotations

from matchmaker.i18n import N_

LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"
CONTACT_VIEWED = "contact.viewed"
EXPORT_EVENT = "export.event"
EXPORT_DATA = "export.data"
AGREEMENT_SIGNED = "agreement.signed"
USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
USER_ROLE_CHANGED = "user.role_changed"
USER_CONFIRMED = "user.confirmed"
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
PERSONAL_DATA_VIEWED = "privacy.viewed"
PERSONAL_DATA_EXPORTED = "privacy.exported"
ACCOUNT_ERASED = "privacy.erased"
ERASURE_REFUSED = "privacy.erasure_refused"
AUDIT_EXPORTED = "audit.exported"
AUDIT_PURGED = "audit.purged"

LABELS = {
    LOGIN_SUCCEEDED: N_("Login succeeded"),
    LOGIN_FAILED: N_("Login failed"),
    CONTACT_VIEWED: N_("Contact details viewed"),
    EXPORT_EVENT: N_("Event data exported"),
    EXPORT_DATA: N_("Data exported from the command line"),
    AGREEMENT_SIGNED: N_("Agreement signed"),
    USER_CREATED: N_("User created"),
    USER_UPDATED: N_("User changed"),
    USER_ROLE_CHANGED: N_("Role changed"),
    USER_CONFIRMED: N_("Account confirmed"),
    USER_DEACTIVATED: N_("Account deactivated"),
    USER_REACTIVATED: N_("Account reactivated"),
    PERSONAL_DATA_VIEWED: N_("Personal information viewed"),
    PERSONAL_DATA_EXPORTED: N_("Personal information downloaded"),
    ACCOUNT_ERASED: N_("Account deleted"),
    ERASURE_REFUSED: N_("Account deletion refused"),
    AUDIT_EXPORTED: N_("Audit log exported"),
    AUDIT_PURGED: N_("Old audit events purged"),
}
