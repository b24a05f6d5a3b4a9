"""The words of each notification kind, filled with its parameters in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matchmaker import i18n
from matchmaker.i18n import N_
from matchmaker.notifications.models import Notification

TEXTS = {
    "invitation": N_("%(need_title)s: the firm invites your profile “%(profile_title)s” to talk."),
    "answer": N_("New answer to “%(need_title)s” from “%(profile_title)s”."),
    "introduction_accepted": N_(
        "“%(need_title)s” ↔ “%(profile_title)s”: accepted. Contact details are now shared."
    ),
    "introduction_declined": N_("“%(need_title)s” ↔ “%(profile_title)s”: declined."),
    "need_changed": N_("“%(need_title)s” was edited by the firm."),
    "strong_match": N_(
        "A new need matches your profile “%(profile_title)s” (score %(score)s): %(need_title)s"
    ),
    "account_confirmed": N_("Your account has been confirmed. Welcome!"),
    "meeting_requested": N_(
        "%(event_title)s: a meeting request “%(need_title)s” ↔ “%(profile_title)s” awaits you."
    ),
    "meeting_proposed": N_(
        "%(event_title)s: the organiser proposes the meeting “%(need_title)s” ↔ "
        "“%(profile_title)s”. Please accept or decline."
    ),
    "meeting_accepted": N_(
        "%(event_title)s: the meeting “%(need_title)s” ↔ “%(profile_title)s” is agreed."
    ),
    "meeting_declined": N_(
        "%(event_title)s: the meeting “%(need_title)s” ↔ “%(profile_title)s” was declined."
    ),
    "meeting_cancelled": N_(
        "%(event_title)s: the meeting “%(need_title)s” ↔ “%(profile_title)s” was cancelled."
    ),
    "agenda_updated": N_("%(event_title)s: your meeting agenda has changed. Please check it."),
    "event_invitation": N_("You are invited to the event “%(event_title)s” with “%(subject)s”."),
    "event_application": N_("“%(subject)s” applied to take part in “%(event_title)s”."),
    "agreement_drafted": N_("A cooperation agreement was drafted with you: “%(subject)s”."),
    "agreement_approved": N_("The other side approved the agreement “%(subject)s”."),
    "agreement_signed": N_("The other side signed the agreement “%(subject)s”."),
    "event_approved": N_("Your application to “%(event_title)s” was approved."),
    "event_rejected": N_("Your application to “%(event_title)s” was not accepted."),
}

NEED_FIELDS = {
    "type": N_("Need type"),
    "title": N_("Title"),
    "description": N_("Need description"),
    "requirements": N_("Requirements"),
    "certifications": N_("Required certifications"),
    "regions": N_("Preferred regions"),
    "budget_min": N_("Budget from (10,000 CNY)"),
    "budget_max": N_("Budget up to (10,000 CNY)"),
    "deadline": N_("Deadline"),
    "segments": N_("Chain segments"),
    "confidential": N_("Confidentiality"),
    "public_summary": N_("Public summary"),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Shown:
    notification: Notification
    text: str
    changes: list[Change]


def _params(params: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in params.items() if not isinstance(value, list)}


def shown(notification: Notification, locale: str) -> Shown:
    """The sentence and, for edits, the changed fields with old and new values."""
    template = TEXTS.get(notification.kind, notification.kind)
    try:
        text = i18n.gettext(locale, template, **_params(notification.params))
    except (KeyError, ValueError):
        text = i18n.gettext(locale, template)
    changes = [
        Change(i18n.gettext(locale, NEED_FIELDS.get(c["field"], c["field"])), c["old"], c["new"])
        for c in notification.params.get("changes", [])
    ]
    return Shown(notification, text, changes)
