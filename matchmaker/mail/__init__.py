"""Outgoing mail: a `Mailer` Protocol (base.py), a file backend (default) and SMTP."""

from __future__ import annotations

from matchmaker.config import Settings
from matchmaker.mail.base import Mailer, MailError, compose
from matchmaker.mail.files import FileMailer
from matchmaker.mail.smtp import SmtpMailer, SmtpServer

__all__ = ["MailError", "Mailer", "compose", "mailer_for"]

OUTBOX = "outbox"


def mailer_for(settings: Settings) -> Mailer:
    """SMTP when MATCHMAKER_SMTP_URL is set, else .eml files in DATA_DIR/outbox."""
    if settings.smtp_url:
        return SmtpMailer(SmtpServer.from_url(settings.smtp_url), sender=settings.mail_from)
    return FileMailer(settings.data_dir / OUTBOX, sender=settings.mail_from)
