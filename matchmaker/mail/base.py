"""The mail contract: one small Protocol that every backend (files, SMTP) fulfils.

Callers build a standard `email.message.EmailMessage` (usually with `compose`) and hand it
to the `Mailer` the application holds (`app.state.mailer`); they never ask which backend it
is. `tests/contract/test_mailer.py` runs the same tests against every backend.
"""

from __future__ import annotations

import copy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

FALLBACK_DOMAIN = "matchmaker.invalid"


class MailError(Exception):
    """The backend could not take the message; it was not sent."""


class Mailer(Protocol):
    """Hands messages over for delivery.

    `send(message)` returns once the backend has taken the message: written to disk, or
    accepted by the SMTP server. A message without From is sent from the backend's
    configured sender; Date and Message-ID are added when missing. The caller's message
    object is left unchanged. Any failure raises `MailError`, never a backend's own error.
    """

    def send(self, message: EmailMessage) -> None: ...


def compose(*, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message; the backend adds From, Date and Message-ID."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def stamped(message: EmailMessage, sender: str) -> EmailMessage:
    """A copy of `message` with From, Date and Message-ID filled in where missing."""
    out = copy.deepcopy(message)
    if out["From"] is None:
        out["From"] = sender
    if out["Date"] is None:
        out["Date"] = formatdate(usegmt=True)
    if out["Message-ID"] is None:
        domain = parseaddr(str(out["From"]))[1].rpartition("@")[2] or FALLBACK_DOMAIN
        out["Message-ID"] = make_msgid(domain=domain)
    return out
