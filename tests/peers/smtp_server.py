"""A real SMTP server (aiosmtpd) on loopback that records messages and refuses on demand. Usage::

with SmtpServer() as smtp:
    smtp.fail_next(1)            # the next DATA gets "451 try again later"
    ... smtp.host, smtp.port, smtp.messages (email.message.EmailMessage), smtp.wait_for(1)
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.peers.ipycam_peer import free_port, unique_loopback_host


@dataclass(frozen=True)
class Delivered:
    """One accepted message: envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        return self._server._on_data(envelope)


class SmtpServer:
    """aiosmtpd in its own thread on a unique loopback address."""

    def __init__(self, host: str | None = None, credentials: tuple[str, str] | None = None) -> None:
        self.host = host or unique_loopback_host()
        self.credentials = credentials
        self.logins: list[str] = []
        self.port = free_port(self.host)
        self.messages: list[Delivered] = []
        self.refused = 0
        self._failures = 0
        self._lock = threading.Lock()
        auth: dict[str, Any] = {}
        if credentials is not None:
            # loopback test server: AUTH offered without TLS
            auth = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **auth)

    def fail_next(self, count: int) -> None:
        """Refuse the next `count` messages with a temporary 451."""
        with self._lock:
            self._failures += count

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Delivered]:
        """The accepted messages once there are at least `count` (AssertionError on timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} emails, got {len(self.messages)}")

    def _authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        login = (data.login.decode(), data.password.decode())
        with self._lock:
            self.logins.append(login[0])
        # handled=False: aiosmtpd itself answers 235 or 535
        return AuthResult(success=login == self.credentials, handled=False)

    def _on_data(self, envelope: Any) -> str:
        with self._lock:
            if self._failures:
                self._failures -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
        raw = bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(
                Delivered(envelope.mail_from, list(envelope.rcpt_tos), raw, message)
            )
        return "250 OK"

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()
