"""The login and logout pages (the site root is the home overview, api.web.home)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SESSION_COOKIE, SessionDep, SettingsDep
from api.signin import attempt_login
from api.web.auth import safe_next
from api.web.templating import render
from monitor.registry import users

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The login form."""
    return render(request, "login.html", {"next": safe_next(next), "failed": False})


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> HTMLResponse | RedirectResponse:
    """Check the credentials; set the session cookie and go on, or show the form again."""
    outcome = attempt_login(request, session, settings, username, password)
    if not outcome.ok:
        session.commit()  # the failed attempt or lock-out stays in the audit log
        context = {
            "next": safe_next(next),
            "failed": not outcome.retry_after,
            "locked": bool(outcome.retry_after),
            "username": username,
        }
        if outcome.retry_after:
            headers = {"Retry-After": str(outcome.retry_after)}
            return render(request, "login.html", context, status_code=429, headers=headers)
        return render(request, "login.html", context, status_code=401)
    token = outcome.token
    # The request's session commits only after the response is sent; the browser follows the
    # redirect at once and must find the new session token already stored.
    session.commit()
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=settings.session_hours * 3600,
        secure=settings.cookie_secure,
    )
    return response


@router.post("/logout")
def logout_submit(request: Request, session: SessionDep) -> RedirectResponse:
    """End the session and go back to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        users.logout(session, token)
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
