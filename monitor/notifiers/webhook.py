"""Webhook sender: signed JSON POSTs to a crew's endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from types import TracebackType
from typing import Any

import httpx

from monitor.notifiers.errors import DeliveryError

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Camwatch-Signature"
EVENT_HEADER = "X-Camwatch-Event"
DELIVERY_HEADER = "X-Camwatch-Delivery"

# What a crew's endpoint can do to us: time out, refuse, reset, speak broken HTTP, or be
# configured with a URL httpx cannot use. All mean "try again later", never a crash.
_EXPECTED = (httpx.TransportError, httpx.InvalidURL)
MAX_READ_BYTES = 64 * 1024


def _content_length(response: httpx.Response) -> int:
    try:
        return int(response.headers.get("Content-Length", "-1"))
    except ValueError:
        return -1


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes posted (and signed) for a payload: compact UTF-8 JSON, sorted keys."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: bytes, body: bytes) -> str:
    """The signature header value: `sha256=<hex HMAC-SHA256 of body>`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str) -> bool:
    """True when `header` is the right signature of `body` (for receivers and tests)."""
    return hmac.compare_digest(signature(secret, body), header)


class WebhookSender:
    """Posts messages over one pooled HTTP client; use as a context manager."""

    def __init__(self, secret: bytes, timeout: float) -> None:
        self._secret = secret
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,  # a redirect could carry the signed body somewhere else
            trust_env=False,  # no proxy from the environment sees crew messages
            headers={"User-Agent": "camwatch-notifier/1"},
        )

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def send(self, url: str, event: str, delivery_id: int, payload: dict[str, Any]) -> None:
        """POST the payload; returns on 2xx, raises DeliveryError otherwise."""
        body = body_bytes(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signature(self._secret, body),
            EVENT_HEADER: event,
            DELIVERY_HEADER: str(delivery_id),
        }
        try:
            # Only the status matters: a short answer is read so the connection can be reused,
            # a long (or unannounced) one is dropped unread.
            with self._client.stream("POST", url, content=body, headers=headers) as response:
                status = response.status_code
                if 0 <= _content_length(response) <= MAX_READ_BYTES:
                    response.read()
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"timeout ({type(exc).__name__})") from exc
        except _EXPECTED as exc:
            # httpx messages can quote the URL, which may hold credentials: keep the type only.
            raise DeliveryError(f"connection failed ({type(exc).__name__})") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")
