"""WS-Security UsernameToken checking as a camera does it (digest, freshness by its own clock)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from enum import StrEnum

from lxml import etree

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
# ONVIF cameras refuse a token whose Created is further than this from their own clock.
MAX_SKEW_SECONDS = 300.0


class TokenCheck(StrEnum):
    """Outcome of checking one request's UsernameToken."""

    OK = "ok"
    MISSING = "missing"
    WRONG = "wrong"
    EXPIRED = "expired"


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """Base64(SHA1(nonce + created + password)), the WS-Security PasswordDigest."""
    raw = hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    return base64.b64encode(raw).decode("ascii")


def _parse_created(text: str) -> dt.datetime | None:
    """Parse an xsd:dateTime Created value (Zulu or offset form)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def check_token(
    envelope: etree._Element, username: str, password: str, camera_now: dt.datetime
) -> TokenCheck:
    """Check the UsernameToken of a SOAP envelope against a camera's credentials and clock."""
    token = envelope.find(f".//{{{WSSE_NS}}}UsernameToken")
    if token is None:
        return TokenCheck.MISSING
    user = token.findtext(f"{{{WSSE_NS}}}Username") or ""
    pw_el = token.find(f"{{{WSSE_NS}}}Password")
    if pw_el is None or pw_el.text is None:
        return TokenCheck.WRONG
    pw_type = pw_el.get("Type", "")
    if pw_type.endswith("#PasswordText"):
        ok = hmac.compare_digest(user, username) and hmac.compare_digest(pw_el.text, password)
        return TokenCheck.OK if ok else TokenCheck.WRONG
    nonce_text = token.findtext(f"{{{WSSE_NS}}}Nonce")
    created_text = token.findtext(f"{{{WSU_NS}}}Created")
    if nonce_text is None or created_text is None:
        return TokenCheck.WRONG
    created = _parse_created(created_text)
    if created is None:
        return TokenCheck.WRONG
    try:
        nonce = base64.b64decode(nonce_text, validate=True)
    except ValueError:
        return TokenCheck.WRONG
    expected = password_digest(nonce, created_text, password)
    if not (hmac.compare_digest(user, username) and hmac.compare_digest(expected, pw_el.text)):
        return TokenCheck.WRONG
    if abs((created - camera_now).total_seconds()) > MAX_SKEW_SECONDS:
        return TokenCheck.EXPIRED
    return TokenCheck.OK
