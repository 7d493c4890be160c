"""Admin pages: users (create, role, crew and areas, reset password), the audit log with
filters, and the notification dead-letter list with retry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import SecretStr, ValidationError
from sqlalchemy import select

from api.deps import SessionDep
from api.web import page_strings  # noqa: F401  (registers the page strings)
from api.web.auth import page_roles
from api.web.org_pages import crew_areas
from api.web.templating import add_nav_item, render
from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, InvalidData, NotFound
from monitor.core.localtime import from_local
from monitor.core.models import AuditEntry, Crew, NotificationState, Role
from monitor.notifiers import admin as outbox_admin
from monitor.registry import users
from monitor.registry.schemas import UserCreate, UserUpdate

router = APIRouter(tags=["web"], include_in_schema=False)
ADMINS = frozenset({Role.ADMIN})
PAGE_SIZE = 50

add_nav_item("/users", "nav.users", ADMINS)
add_nav_item("/audit", "nav.audit", ADMINS)
add_nav_item("/notifications", "nav.notifications", ADMINS)


def _crews(session: SessionDep) -> list[Crew]:
    return list(session.scalars(select(Crew).order_by(Crew.name)))


def _error_key(exc: Exception) -> str:
    if isinstance(exc, Conflict):
        return "users.exists"
    if isinstance(exc, ValidationError):
        fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        if "password" in fields:
            return "users.password_short"
        return "users.bad_username"
    if "crew" in str(exc):
        return "users.need_crew"
    return "users.bad_username"


def _users_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    rows, total = users.list_users(session, actor, limit=1000)
    context = {
        "rows": rows,
        "total": total,
        "roles": list(Role),
        "crews": _crews(session),
        "crew_areas": crew_areas,
        "error": error,
        "form": form or {},
        "msg": request.query_params.get("msg", ""),
    }
    return render(request, "pages/users.html", context, actor=actor, status_code=status)


@router.get("/users")
def users_page(
    request: Request, session: SessionDep, actor: Actor = page_roles(Role.ADMIN)
) -> HTMLResponse:
    """Every user, their role and areas, and the form to create one."""
    return _users_page(request, session, actor)


@router.post("/users", response_model=None)
def users_create(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=80)],
    role: Annotated[str, Form(max_length=16)],
    full_name: Annotated[str, Form(max_length=200)] = "",
    crew_id: Annotated[str, Form(max_length=12)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    actor: Actor = page_roles(Role.ADMIN),
) -> Response:
    """Create a user (with a login password when given)."""
    form = {"username": username, "full_name": full_name, "role": role, "crew_id": crew_id}
    try:
        data = UserCreate(
            username=username.strip(),
            full_name=full_name.strip(),
            role=Role(role) if role in set(Role) else Role.POLICE,
            crew_id=int(crew_id) if crew_id.isdigit() and role == Role.CREW else None,
            password=SecretStr(password) if password else None,
        )
        users.create_user(session, actor, data)
    except (ValidationError, InvalidData, Conflict) as exc:
        session.rollback()
        return _users_page(request, session, actor, error=_error_key(exc), form=form, status=422)
    session.commit()
    return RedirectResponse("/users?msg=created", status_code=303)


def _user_page(
    request: Request, session: SessionDep, actor: Actor, user_id: int, *, error: str = ""
) -> HTMLResponse:
    try:
        user = users.get_user(session, user_id)
    except NotFound as exc:
        missing = {"title_key": "error.not_found.title", "text_key": "", "detail": str(exc)}
        return render(request, "error.html", missing, actor=actor, status_code=404)
    context: dict[str, Any] = {
        "user": user,
        "roles": list(Role),
        "crews": _crews(session),
        "crew_areas": crew_areas,
        "error": error,
        "msg": request.query_params.get("msg", ""),
    }
    return render(
        request, "pages/user.html", context, actor=actor, status_code=422 if error else 200
    )


@router.get("/users/{user_id}")
def user_page(
    user_id: int, request: Request, session: SessionDep, actor: Actor = page_roles(Role.ADMIN)
) -> HTMLResponse:
    """One user: role, crew (its areas), active flag, and the password reset."""
    return _user_page(request, session, actor, user_id)


@router.post("/users/{user_id}", response_model=None)
def user_update(
    user_id: int,
    request: Request,
    session: SessionDep,
    role: Annotated[str, Form(max_length=16)],
    full_name: Annotated[str, Form(max_length=200)] = "",
    crew_id: Annotated[str, Form(max_length=12)] = "",
    active: Annotated[str, Form(max_length=4)] = "",
    actor: Actor = page_roles(Role.ADMIN),
) -> Response:
    """Change a user's role, crew, name or active flag (deactivating ends their sessions)."""
    try:
        data = UserUpdate(
            full_name=full_name.strip(),
            role=Role(role) if role in set(Role) else None,
            crew_id=int(crew_id) if crew_id.isdigit() and role == Role.CREW else None,
            active=bool(active),
        )
        users.update_user(session, actor, user_id, data)
    except (ValidationError, InvalidData) as exc:
        session.rollback()
        return _user_page(request, session, actor, user_id, error=_error_key(exc))
    session.commit()
    return RedirectResponse(f"/users/{user_id}?msg=saved", status_code=303)


@router.post("/users/{user_id}/password", response_model=None)
def user_password(
    user_id: int,
    request: Request,
    session: SessionDep,
    password: Annotated[str, Form(max_length=200)],
    actor: Actor = page_roles(Role.ADMIN),
) -> Response:
    """Set a new password; every login session of the user ends."""
    try:
        users.reset_password(session, actor, user_id, password)
    except InvalidData:
        session.rollback()
        return _user_page(request, session, actor, user_id, error="users.password_short")
    session.commit()
    return RedirectResponse(f"/users/{user_id}?msg=password_reset", status_code=303)


def _day(text: str | None, *, end: bool = False) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.fromisoformat(text)
    except ValueError:
        return None
    return from_local(day + timedelta(days=1) if end else day)


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    actor: Actor = page_roles(Role.ADMIN),
) -> HTMLResponse:
    """The audit log, newest first, filtered by user, record kind, action and days."""
    p = request.query_params
    rows, total = audit.list_entries(
        session,
        username=p.get("username") or None,
        entity=p.get("entity") or None,
        entity_id=p.get("entity_id") or None,
        action=p.get("action") or None,
        since=_day(p.get("start")),
        until=_day(p.get("end"), end=True),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    entities = list(session.scalars(select(AuditEntry.entity).distinct().order_by("entity")))
    actions = list(session.scalars(select(AuditEntry.action).distinct().order_by("action")))
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "q": p,
        "entities": [e for e in entities if e],
        "actions": actions,
    }
    return render(request, "pages/audit.html", context, actor=actor)


@router.get("/notifications")
def notifications_page(
    request: Request,
    session: SessionDep,
    state: str = "dead",
    actor: Actor = page_roles(Role.ADMIN),
) -> HTMLResponse:
    """Messages to crews that could not be delivered (or any state), with a retry button."""
    wanted = NotificationState(state) if state in set(NotificationState) else None
    rows, total = outbox_admin.list_notifications(session, state=wanted, limit=200)
    context = {
        "rows": rows,
        "total": total,
        "state": state,
        "states": list(NotificationState),
        "target": outbox_admin.public_target,
        "msg": request.query_params.get("msg", ""),
    }
    return render(request, "pages/notifications.html", context, actor=actor)


@router.post("/notifications/{notification_id}/retry", response_model=None)
def notification_retry(
    notification_id: int, session: SessionDep, actor: Actor = page_roles(Role.ADMIN)
) -> Response:
    """Queue a dead message again."""
    try:
        outbox_admin.retry_dead(session, actor, notification_id)
    except (NotFound, Conflict):
        session.rollback()
        return RedirectResponse("/notifications", status_code=303)
    session.commit()
    return RedirectResponse("/notifications?msg=retried", status_code=303)
