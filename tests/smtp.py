"""A real SMTP server for tests: aiosmtpd on a free local port, keeping what it accepts."""

from __future__ import annotations

import socket
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from core.settings import get_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """An aiosmtpd server in its own thread, keeping every message it accepts."""

    def __init__(
        self,
        port: int,
        *,
        refuse: frozenset[str] = frozenset(),
        login: tuple[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        hostname: str = "127.0.0.1",
    ) -> None:
        self.refuse = refuse
        self.login = login
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        # Per accepted message: whether it came over TLS; and every sign-in attempt seen.
        self.over_tls: list[bool] = []
        self.sign_ins: list[str] = []
        options: dict = {}
        if login:
            options = {
                "authenticator": self._authenticate,
                "auth_required": True,
                # With TLS offered, a password may only cross it, as on a real mail server.
                "auth_require_tls": tls is not None,
            }
        if tls is not None:
            options.update(tls_context=tls, require_starttls=True)
        self.controller = Controller(self, hostname=hostname, port=port, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = (
            (auth_data.login.decode(), auth_data.password.decode())
            if isinstance(auth_data, LoginPassword)
            else None
        )
        self.sign_ins.append(mechanism)
        # handled=False: aiosmtpd then answers 535 itself.
        return AuthResult(success=given == self.login, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        self.over_tls.append(session.ssl is not None)
        return "250 Message accepted for delivery"

    def text_of(self, message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture
def smtp_port(monkeypatch):
    """SMTP settings pointing at a free local port (nothing listens until a test starts it)."""
    port = free_port()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    for name in ("SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_CA_FILE", "MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield port
    get_settings.cache_clear()


@pytest.fixture
def start_server():
    servers: list[MailServer] = []

    def start(port: int, **options) -> MailServer:
        server = MailServer(port, **options)
        server.controller.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.controller.stop()
