"""HTTP digest (and basic) authentication as a camera's snapshot endpoint does it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time

REALM = "camwatch-sim"
# How long a digest nonce this server issued stays acceptable.
NONCE_LIFETIME_SECONDS = 300.0
_SECRET = secrets.token_bytes(16)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def new_nonce(now: float | None = None) -> str:
    """A stateless nonce: issue time plus its HMAC, so any worker can verify it."""
    stamp = f"{now if now is not None else time.time():.3f}"
    mac = hmac.new(_SECRET, stamp.encode(), hashlib.sha256).hexdigest()[:24]
    return f"{stamp}-{mac}"


def _nonce_valid(nonce: str) -> bool:
    stamp, _, mac = nonce.partition("-")
    expected = hmac.new(_SECRET, stamp.encode(), hashlib.sha256).hexdigest()[:24]
    if not hmac.compare_digest(mac, expected):
        return False
    try:
        return time.time() - float(stamp) <= NONCE_LIFETIME_SECONDS
    except ValueError:
        return False


def challenge() -> str:
    """WWW-Authenticate header value offering digest auth."""
    return f'Digest realm="{REALM}", qop="auth", nonce="{new_nonce()}", algorithm=MD5'


def _parse_params(text: str) -> dict[str, str]:
    """Parse `k=v, k="v"` pairs of a Digest Authorization header."""
    params: dict[str, str] = {}
    for part in _split_commas(text):
        key, sep, value = part.strip().partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return params


def _split_commas(text: str) -> list[str]:
    """Split on commas outside double quotes."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def check_authorization(header: str | None, method: str, username: str, password: str) -> bool:
    """True when an Authorization header proves the credentials (digest, or basic)."""
    if not header:
        return False
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, pw = base64.b64decode(rest.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, username) and hmac.compare_digest(pw, password)
    if scheme.lower() != "digest":
        return False
    p = _parse_params(rest)
    needed = ("username", "realm", "nonce", "uri", "response")
    if any(k not in p for k in needed) or not _nonce_valid(p["nonce"]):
        return False
    if not hmac.compare_digest(p["username"], username):
        return False
    ha1 = _md5(f"{username}:{p['realm']}:{password}")
    ha2 = _md5(f"{method}:{p['uri']}")
    if p.get("qop"):
        nc, cnonce = p.get("nc", ""), p.get("cnonce", "")
        expected = _md5(f"{ha1}:{p['nonce']}:{nc}:{cnonce}:{p['qop']}:{ha2}")
    else:
        expected = _md5(f"{ha1}:{p['nonce']}:{ha2}")
    return hmac.compare_digest(expected, p["response"])
