"""CSRF tokens of the web forms: one per login session, derived from it, never stored.

Every state-changing form of a page carries `{{ csrf_field() }}` (a Jinja global); the request
guard (`api/guard.py`) refuses a POST from a cookie session without the matching token, and any
POST whose Origin is another site or port. JavaScript may send the token as `X-CSRF-Token`
instead (read it from `<meta name="csrf-token">` in base.html).
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from api.deps import SESSION_COOKIE
from monitor.core.security import token_digest
from monitor.core.settings import Settings

FIELD = "csrf_token"
HEADER = "x-csrf-token"


def csrf_token(settings: Settings, session_token: str) -> str:
    """The form token of a session: HMAC of the session token's digest with the secret key."""
    key = hashlib.sha256(b"camwatch/csrf/v1\x00" + settings.resolved_secret_key.encode()).digest()
    return hmac.new(key, token_digest(session_token).encode(), hashlib.sha256).hexdigest()


def request_csrf_token(request: Request) -> str:
    """The token the forms of this request's page must carry ('' without a session cookie)."""
    session_token = request.cookies.get(SESSION_COOKIE)
    if not session_token:
        return ""
    return csrf_token(request.app.state.settings, session_token)


def token_matches(settings: Settings, session_token: str, given: str) -> bool:
    """True when `given` is the session's token (constant-time comparison)."""
    return bool(given) and hmac.compare_digest(csrf_token(settings, session_token), given)


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden form field carrying the page's CSRF token (put it in every POST form)."""
    request = context.get("request")
    value = request_csrf_token(request) if isinstance(request, Request) else ""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(value)}">')


@pass_context
def csrf_value(context: Context) -> str:
    """The page's CSRF token alone (for a meta tag read by scripts)."""
    request = context.get("request")
    return request_csrf_token(request) if isinstance(request, Request) else ""
