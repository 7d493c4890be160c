"""Dependency aliases shared by the routers: settings, database session, current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, UploadFile, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import InvalidData
from monitor.core.models import Role
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from monitor.registry.sheets import Table, format_of, read_table
from monitor.registry.users import user_for_token

SESSION_COOKIE = "camwatch_session"

_bearer = HTTPBearer(auto_error=False, description="API token or login session token")


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def get_database(request: Request) -> Database:
    """The app's database."""
    return request.app.state.db


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A database session per request, committed when the route succeeds."""
    with db.session() as session:
        yield session


def get_rules(request: Request) -> CameraRules:
    """Password encryption and probe-network rules for camera writes."""
    return request.app.state.camera_rules


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": the session commits when the route returns, before the response is sent,
# so a client that follows up at once (a redirect after a login or a save) sees the change.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
RulesDep = Annotated[CameraRules, Depends(get_rules)]


def request_token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The bearer token of an API request.

    Only the Authorization header counts: the session cookie is for the web pages, whose forms
    carry CSRF tokens; accepting it here would let any page the user visits call the API.
    """
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return credentials.credentials
    return None


def get_actor(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The authenticated user behind the request, or 401."""
    token = request_token(credentials)
    user = user_for_token(session, token) if token else None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "authentication required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    remote = request.client.host if request.client else ""
    return Actor.for_user(session, user, remote_addr=remote)


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require_roles(*roles: Role):
    """A dependency that lets only the given roles through (403 for the others)."""

    def check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")
        return actor

    return Depends(check)


EDITORS = (Role.ADMIN, Role.TECHNICIAN)
EditorActor = Annotated[Actor, require_roles(*EDITORS)]
AdminActor = Annotated[Actor, require_roles(Role.ADMIN)]


def uploaded_table(file: UploadFile) -> Table:
    """The rows of an uploaded CSV/XLSX file (422 for another file type or an unreadable one)."""
    # A plain `def`: FastAPI runs it in a worker thread, so parsing a big workbook never blocks
    # the event loop. The request guard has capped the body at max_upload_bytes already.
    try:
        format_of(file.filename or "")
    except ValueError as exc:
        raise InvalidData(str(exc)) from exc
    return read_table(file.file.read(), file.filename or "")


# Declared after the actor in a route, so that a caller without the role gets 403 unread.
UploadedTable = Annotated[Table, Depends(uploaded_table)]
