"""Email sender: UTF-8 messages with the evidence thumbnails attached, over stdlib SMTP."""

from __future__ import annotations

import base64
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from types import TracebackType
from typing import Any

from monitor.core.settings import Settings
from monitor.notifiers.errors import DeliveryError
from monitor.notifiers.texts import email_body, email_subject

logger = logging.getLogger(__name__)

# What a mail server or the network can do: refuse, time out, reset, answer 4xx/5xx.
_EXPECTED = (smtplib.SMTPException, OSError)
_SPLIT = re.compile(r"[,;\s]+")


def recipients(target: str) -> list[str]:
    """The addresses in a crew's email field (comma, semicolon or space separated)."""
    return [part for part in _SPLIT.split(target) if part]


def build_message(
    payload: dict[str, Any], target: str, sender: str, delivery_id: int, language: str
) -> EmailMessage:
    """The email for a payload: subject/body in `language`, thumbnails attached as JPEG."""
    msg = EmailMessage()
    msg["Subject"] = email_subject(payload, language)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients(target))
    msg["Message-ID"] = make_msgid("camwatch")
    msg["X-Camwatch-Event"] = payload["event"]
    msg["X-Camwatch-Delivery"] = str(delivery_id)
    msg.set_content(email_body(payload, language), charset="utf-8")
    for item in payload.get("attachments") or []:
        msg.add_attachment(
            base64.b64decode(item["data_b64"]),
            maintype="image",
            subtype="jpeg",
            filename=item["filename"],
        )
    return msg


class EmailSender:
    """Sends over one SMTP connection, opened on first use and reused; a context manager."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> EmailSender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT (best effort) and drop the connection."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except _EXPECTED:
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username and s.smtp_password is not None:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
        except _EXPECTED:
            smtp.close()
            raise
        return smtp

    def send(self, target: str, delivery_id: int, payload: dict[str, Any]) -> None:
        """Send one message; raises DeliveryError when the server or network fails."""
        s = self._settings
        msg = build_message(payload, target, s.smtp_from, delivery_id, s.language)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            broken = self._drop_if_broken(exc)
            raise DeliveryError(f"SMTP {exc.smtp_code}", server_down=broken) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise DeliveryError(f"SMTP recipients refused {codes}") from exc
        except _EXPECTED as exc:
            self.close()
            message = f"SMTP failed ({type(exc).__name__})"
            raise DeliveryError(message, server_down=True) from exc
        if refused:
            logger.warning("notification %s: %d recipient(s) refused", delivery_id, len(refused))

    def _drop_if_broken(self, exc: smtplib.SMTPResponseException) -> bool:
        """Close a connection the server ended or never accepted; True when that happened."""
        # 421 means the server is closing the channel; a refused login means we never had one.
        if exc.smtp_code == 421 or isinstance(exc, smtplib.SMTPAuthenticationError):
            self.close()
            return True
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except _EXPECTED:
                self.close()
                return True
        return False
