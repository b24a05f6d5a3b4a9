"""The default mail backend: each message becomes an .eml file in a folder.

Without an SMTP server (development, demos, tests) mail is still inspectable: open the
file in any mail client, or read the link it holds. Each message logs one line, so the
console tells where it went.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from matchmaker.mail.base import MailError, stamped

logger = logging.getLogger(__name__)


class FileMailer:
    def __init__(self, folder: Path, *, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: EmailMessage) -> None:
        out = stamped(message, self.sender)
        # Names sort by time of sending; the random tail keeps two in one microsecond apart.
        moment = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{moment}-{secrets.token_hex(4)}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(out.as_bytes(policy=policy.SMTP))
        except OSError as error:
            raise MailError(f"cannot write mail to {path}: {error}") from error
        # A warning on purpose: without MATCHMAKER_SMTP_URL nobody receives this mail.
        logger.warning("mail to %s saved as %s (no SMTP server set)", out["To"], path)
