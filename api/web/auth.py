"""Who is looking at a page: anonymous visitors go to the login page, other roles get a 403 page.

    PageActor                       # any logged-in user
    page_roles(Role.ADMIN, ...)     # a dependency admitting only these roles (403 page otherwise)

`install_web(app)` (called by the app factory) adds the handlers that turn these into a redirect or
an HTML error page, and serves `/static`.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.deps import SESSION_COOKIE, SessionDep
from api.web.templating import STATIC_DIR, render
from monitor.core.access import Actor
from monitor.core.models import Role
from monitor.registry.users import user_for_token


class LoginRequired(Exception):
    """A page was asked for without a valid session."""

    def __init__(self, next_url: str) -> None:
        super().__init__("login required")
        self.next_url = next_url


class PageForbidden(Exception):
    """The logged-in user's role may not see this page."""

    def __init__(self, actor: Actor) -> None:
        super().__init__("forbidden")
        self.actor = actor


def _next_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def optional_page_actor(request: Request, session: SessionDep) -> Actor | None:
    """The user behind the session cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    user = user_for_token(session, token) if token else None
    if user is None:
        return None
    remote = request.client.host if request.client else ""
    return Actor.for_user(session, user, remote_addr=remote)


def page_actor(
    request: Request, actor: Annotated[Actor | None, Depends(optional_page_actor)]
) -> Actor:
    """The logged-in user, or a redirect to the login page."""
    if actor is None:
        raise LoginRequired(_next_url(request))
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def page_roles(*roles: Role):
    """A dependency admitting only these roles to a page (others get the 403 page)."""

    def check(actor: PageActor) -> Actor:
        if actor.role not in roles:
            raise PageForbidden(actor)
        return actor

    return Depends(check)


def safe_next(url: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def install_web(app: FastAPI) -> None:
    """Serve /static and turn LoginRequired/PageForbidden into a redirect or a 403 page."""

    async def login_required(_request: Request, exc: Exception) -> RedirectResponse:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)

    async def forbidden(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, PageForbidden)
        return render(
            request,
            "error.html",
            {"title_key": "error.forbidden.title", "text_key": "error.forbidden.text"},
            actor=exc.actor,
            status_code=403,
        )

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(PageForbidden, forbidden)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
