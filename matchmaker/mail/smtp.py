"""Mail through an SMTP server, named by MATCHMAKER_SMTP_URL.

`smtp://user:pass@host:587?starttls=1` upgrades the connection with STARTTLS,
`smtps://user:pass@host:465` speaks TLS from the start, and `smtp://host:25` sends in the
clear (a relay on the same network). User and password are percent-encoded in the URL.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from matchmaker.mail.base import MailError, stamped

Security = Literal["plain", "starttls", "tls"]
_TRUE = ("1", "true", "yes", "on")
_DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: Security = "plain"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "MATCHMAKER_SMTP_URL must look like smtp://user:pass@host:587?starttls=1 "
                "or smtps://user:pass@host:465"
            )
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[-1].lower() in _TRUE
        security: Security = (
            "tls" if parts.scheme == "smtps" else "starttls" if starttls else "plain"
        )
        return cls(
            host=parts.hostname,
            port=parts.port or _DEFAULT_PORTS[security],
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float(query.get("timeout", ["30"])[-1]),
        )


class SmtpMailer:
    def __init__(self, server: SmtpServer, *, sender: str) -> None:
        self.server = server
        self.sender = sender

    def send(self, message: EmailMessage) -> None:
        out = stamped(message, self.sender)
        server = self.server
        try:
            with self._connect() as smtp:
                if server.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if server.username:
                    smtp.login(server.username, server.password or "")
                smtp.send_message(out)
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"SMTP server {server.host}:{server.port} refused: {error}") from error

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        if server.security == "tls":
            return smtplib.SMTP_SSL(
                server.host,
                server.port,
                timeout=server.timeout,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(server.host, server.port, timeout=server.timeout)
