"""The request guard: body size caps, authentication before any body is read, CSRF on web forms.

One ASGI middleware in front of every route (docs/security.md):

- **Body caps per route.** Imports and reference images get their upload limits
  (`max_upload_bytes`, `max_image_bytes`), everything else `max_body_bytes`. A declared
  Content-Length over the cap is refused (413) before a byte is read; a chunked body is counted
  as it arrives and cut off at the cap.
- **Authenticate first.** A state-changing `/api/` request must carry a valid bearer token
  before its body is read (login excepted); an upload to a web page needs a valid session. A
  200 MB multipart without a token is answered 401 without being read or spooled.
- **CSRF.** A state-changing web request whose Origin (or Referer) is another site or another
  port is refused, and one from a cookie session must carry the session's token (form field
  `csrf_token`, put in every form by `{{ csrf_field() }}`, or header `X-CSRF-Token`). `/api/`
  ignores the session cookie entirely (bearer tokens only), so it needs no CSRF token.

A new upload route registers its cap with `register_upload_route()`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import anyio
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from api.web import csrf
from monitor.core.db import Database
from monitor.core.i18n import add_strings
from monitor.core.settings import Settings
from monitor.registry.users import user_for_token

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The only state-changing API call allowed without a token.
PUBLIC_API = frozenset({("POST", "/api/v1/auth/login")})

add_strings(
    {
        "error.csrf.text": {
            "vi": "Biểu mẫu đã hết hạn hoặc được gửi từ trang khác. Hãy tải lại trang và thử lại.",
            "en": "The form expired or was sent from another site. Reload the page and try again.",
        },
        "error.too_large.title": {"vi": "Dữ liệu quá lớn", "en": "Request too large"},
    }
)


@dataclass(frozen=True, slots=True)
class UploadRoute:
    """A route that takes a file: its method, path pattern and which cap applies."""

    method: str
    pattern: re.Pattern[str]
    kind: Literal["upload", "image"]


UPLOAD_ROUTES: list[UploadRoute] = []


def register_upload_route(method: str, pattern: str, kind: Literal["upload", "image"]) -> None:
    """Give the routes matching `pattern` (a regex on the path) the upload or image body cap."""
    route = UploadRoute(method.upper(), re.compile(pattern), kind)
    if route not in UPLOAD_ROUTES:
        UPLOAD_ROUTES.append(route)


register_upload_route("POST", r"^/api/v1/cameras/import$", "upload")
register_upload_route("POST", r"^/api/v1/movement/instances/import$", "upload")
register_upload_route("POST", r"^/movement/import$", "upload")
register_upload_route("PUT", r"^/api/v1/cameras/[^/]+/reference$", "image")


class BodyTooLarge(Exception):
    """The body grew past its route's cap while it was being read."""


def upload_kind(method: str, path: str) -> str | None:
    """'upload' or 'image' for a registered upload route, else None."""
    for route in UPLOAD_ROUTES:
        if route.method == method and route.pattern.match(path):
            return route.kind
    return None


def body_limit(settings: Settings, method: str, path: str) -> int:
    """The body cap of a request, in bytes."""
    kind = upload_kind(method, path)
    if kind == "upload":
        return settings.max_upload_bytes
    if kind == "image":
        return settings.max_image_bytes
    return settings.max_body_bytes


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def same_origin(settings: Settings, scope: Scope, headers: Headers) -> bool:
    """False when a browser says the request comes from another site or port."""
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if referer is None:
            return True  # not a browser form: the CSRF token decides
        origin = _origin(referer)
    origin = origin.lower()
    if origin in ("", "null"):
        return False
    own = {f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()}
    own.add(_origin(settings.public_url))
    return origin in own


class RequestGuard:
    """ASGI middleware enforcing body caps, authentication-first and CSRF (see module doc)."""

    def __init__(self, app: ASGIApp, settings: Settings, db: Database) -> None:
        self.app = app
        self.settings = settings
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on with a body reader that stops at the cap."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        headers = Headers(scope=scope)
        limit = body_limit(self.settings, method, path)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await self._json(scope, receive, send, 400, "bad Content-Length")
                return
            if int(declared) > limit:
                await self._too_large(scope, receive, send, limit)
                return
        if method not in SAFE_METHODS:
            refusal = await self._check_unsafe(scope, headers, method, path)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            if not path.startswith("/api/") and csrf.SESSION_COOKIE in _cookies(scope):
                await self._check_csrf_and_call(scope, receive, send, headers, limit)
                return
        await self._call_capped(scope, receive, send, limit)

    async def _check_unsafe(
        self, scope: Scope, headers: Headers, method: str, path: str
    ) -> Response | None:
        """Authentication (and the Origin check of web forms) before the body is read."""
        if path.startswith("/api/"):
            if (method, path) in PUBLIC_API:
                return None
            scheme, _, token = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not await self._valid(token.strip()):
                return JSONResponse(
                    {"detail": "authentication required"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return None
        if not same_origin(self.settings, scope, headers):
            return self._forbidden_page(scope)
        if upload_kind(method, path) is not None:
            session_token = _cookies(scope).get(csrf.SESSION_COOKIE, "")
            if not await self._valid(session_token):
                return RedirectResponse("/login", status_code=303)
        return None

    async def _valid(self, token: str) -> bool:
        if not token:
            return False

        def lookup() -> bool:
            with self.db.session() as session:
                return user_for_token(session, token) is not None

        return await anyio.to_thread.run_sync(lookup)

    async def _check_csrf_and_call(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, limit: int
    ) -> None:
        """Read the (capped) body, find the form token, and replay the body to the route."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        given = headers.get(csrf.HEADER) or await _form_token(headers, body)
        session_token = _cookies(scope).get(csrf.SESSION_COOKIE, "")
        if not csrf.token_matches(self.settings, session_token, given):
            await self._forbidden_page(scope)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _call_capped(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Call the route with a body reader that raises past the cap, answering 413 then."""
        received = 0
        exceeded = False
        started = False

        async def capped_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the route's answer to a cut-off body is replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, capped_receive, guarded_send)
        if exceeded and not started:
            await self._too_large(scope, receive, send, limit)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        detail = f"request body larger than {limit} bytes"
        await self._json(scope, receive, send, 413, detail, {"Connection": "close"})

    @staticmethod
    async def _json(
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        detail: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        await JSONResponse({"detail": detail}, status_code=status, headers=headers)(
            scope, receive, send
        )

    def _forbidden_page(self, scope: Scope) -> Response:
        from api.web.templating import render

        request = Request(scope)
        context = {"title_key": "error.forbidden.title", "text_key": "error.csrf.text"}
        return render(request, "error.html", context, status_code=403)


def _cookies(scope: Scope) -> dict[str, str]:
    return Request(scope).cookies


async def _form_token(headers: Headers, body: bytes) -> str:
    """The csrf_token field of a urlencoded or multipart form body ('' when absent)."""
    content_type = headers.get("content-type", "").lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=1000)
        except ValueError:  # more fields than any form of ours has
            return ""
        return (values.get(csrf.FIELD) or [""])[0]
    if content_type.startswith("multipart/form-data"):

        async def stream():
            yield body

        parser = MultiPartParser(headers, stream(), max_files=10, max_fields=1000)
        try:
            form = await parser.parse()
        except MultiPartException:
            return ""
        try:
            value = form.get(csrf.FIELD)
            return value if isinstance(value, str) else ""
        finally:
            await form.close()
    return ""
