"""The Mailer contract (matchmaker/mail/base.py), run against every backend: .eml files, and
SMTP talking to a real SMTP server (aiosmtpd) started on a free local port for each test."""

from __future__ import annotations

import copy
import email.policy
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from matchmaker.config import load_settings
from matchmaker.mail import (
    FileMailer,
    Mailer,
    MailError,
    SmtpMailer,
    SmtpServer,
    compose,
    mailer_for,
)

# The test server takes AUTH in the clear on localhost; aiosmtpd warns about that each time.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

SENDER = "matchmaker <noreply@matchmaker.example.cn>"
USER, SECRET = "mailer", "s3cret/with:odd@chars"


def parse(raw: bytes) -> EmailMessage:
    return cast(EmailMessage, BytesParser(policy=email.policy.default).parsebytes(raw))


@dataclass
class Backend:
    """A mailer, what reached its far side so far, and a mailer that cannot deliver."""

    mailer: Mailer
    received: Callable[[], list[EmailMessage]]
    broken: Mailer


class Recorder:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content or envelope.content)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        SECRET.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_url(port: int) -> str:
    return f"smtp://{USER}:s3cret%2Fwith%3Aodd%40chars@127.0.0.1:{port}"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    yield recorder, port
    controller.stop()


def files_backend(tmp_path: Path) -> Backend:
    folder = tmp_path / "outbox"
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the outbox should be")

    def received() -> list[EmailMessage]:
        paths = sorted(folder.glob("*.eml")) if folder.exists() else []
        return [parse(path.read_bytes()) for path in paths]

    return Backend(
        FileMailer(folder, sender=SENDER), received, FileMailer(blocker / "outbox", sender=SENDER)
    )


def smtp_backend(recorder: Recorder, port: int) -> Backend:
    mailer = SmtpMailer(SmtpServer.from_url(smtp_url(port)), sender=SENDER)
    wrong_password = smtp_url(port).replace("s3cret", "wrong")
    return Backend(
        mailer,
        lambda: [parse(raw) for raw in recorder.messages],
        SmtpMailer(SmtpServer.from_url(wrong_password), sender=SENDER),
    )


@pytest.fixture(params=["files", "smtp"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "files":
        return files_backend(tmp_path)
    recorder, port = request.getfixturevalue("smtp_server")
    return smtp_backend(recorder, port)


def message(to: str = "zhao.min@example.cn", subject: str = "重置您的密码") -> EmailMessage:
    body = (
        "赵敏，您好：\n\n请在一小时内打开以下链接：\n\nhttp://127.0.0.1:8000/password/reset/abc\n"
    )
    return compose(to=to, subject=subject, body=body)


# The contract -------------------------------------------------------------------------------


def test_send_delivers_recipient_subject_and_chinese_body(backend: Backend) -> None:
    backend.mailer.send(message())
    [got] = backend.received()
    assert (got["To"], got["Subject"]) == ("zhao.min@example.cn", "重置您的密码")
    # SMTP and .eml files end lines with CRLF; the text itself arrives unchanged.
    assert got.get_content().replace("\r\n", "\n") == message().get_content()
    assert got.get_content_type() == "text/plain"


def test_send_fills_in_sender_date_and_message_id(backend: Backend) -> None:
    backend.mailer.send(message())
    [got] = backend.received()
    assert got["From"] == SENDER
    assert got["Date"] is not None
    assert str(got["Message-ID"]).endswith("@matchmaker.example.cn>")


def test_send_keeps_an_explicit_sender(backend: Backend) -> None:
    mail = message()
    mail["From"] = "活动组织方 <events@example.cn>"
    backend.mailer.send(mail)
    [got] = backend.received()
    assert got["From"] == "活动组织方 <events@example.cn>"


def test_send_leaves_the_callers_message_unchanged(backend: Backend) -> None:
    mail = message()
    before = copy.deepcopy(mail).as_bytes()
    backend.mailer.send(mail)
    assert mail.as_bytes() == before
    assert mail["From"] is None


def test_each_message_arrives_separately(backend: Backend) -> None:
    backend.mailer.send(message(to="first@example.cn", subject="一"))
    backend.mailer.send(message(to="second@example.cn", subject="二"))
    got = sorted((mail["To"], mail["Subject"]) for mail in backend.received())
    assert got == [("first@example.cn", "一"), ("second@example.cn", "二")]
    assert len({mail["Message-ID"] for mail in backend.received()}) == 2


def test_failure_raises_mail_error_and_delivers_nothing(backend: Backend) -> None:
    with pytest.raises(MailError):
        backend.broken.send(message())
    assert backend.received() == []


# Backend-specific ---------------------------------------------------------------------------


def test_smtp_envelope_goes_to_the_recipient(smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    smtp_backend(recorder, port).mailer.send(message())
    assert recorder.recipients == [["zhao.min@example.cn"]]


def test_smtp_server_gone_raises_mail_error() -> None:
    server = SmtpServer(host="127.0.0.1", port=free_port(), timeout=5)
    with pytest.raises(MailError):
        SmtpMailer(server, sender=SENDER).send(message())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user:pa%40ss@mail.example.cn:587?starttls=1",
            SmtpServer("mail.example.cn", 587, "starttls", "user", "pa@ss"),
        ),
        ("smtp://relay.internal", SmtpServer("relay.internal", 25, "plain")),
        ("smtp://relay.internal?starttls=true", SmtpServer("relay.internal", 587, "starttls")),
        ("smtps://u:p@mail.example.cn", SmtpServer("mail.example.cn", 465, "tls", "u", "p")),
        ("smtp://h:2525?timeout=5", SmtpServer("h", 2525, "plain", timeout=5.0)),
    ],
)
def test_smtp_url_parsed(url: str, expected: SmtpServer) -> None:
    assert SmtpServer.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example.cn", "smtp://", "mail.example.cn:25"])
def test_smtp_url_refused_when_malformed(url: str) -> None:
    with pytest.raises(ValueError, match="MATCHMAKER_SMTP_URL"):
        SmtpServer.from_url(url)


def test_mailer_for_picks_backend_from_settings(tmp_path: Path) -> None:
    files = mailer_for(load_settings(data_dir=tmp_path))
    assert isinstance(files, FileMailer) and files.folder == tmp_path.resolve() / "outbox"
    smtp = mailer_for(
        load_settings(
            data_dir=tmp_path, smtp_url="smtp://mail.example.cn:25", mail_from="平台 <a@b.cn>"
        )
    )
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.server, smtp.sender) == (
        SmtpServer("mail.example.cn", 25, "plain"),
        "平台 <a@b.cn>",
    )
