"""Login and logout for people; token creation for machines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from api.deps import SESSION_COOKIE, CurrentActor, SessionDep, SettingsDep
from monitor.registry import users
from monitor.registry.schemas import UserPublic

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(max_length=80)
    password: str = Field(max_length=200)


class LoginAnswer(BaseModel):
    token: str
    expires_at: datetime | None
    user: UserPublic


class TokenRequest(BaseModel):
    name: str = Field(default="api", max_length=100)


@router.post("/login")
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> LoginAnswer:
    """Check a username and password; answer a session token and set the session cookie."""
    remote = request.client.host if request.client else ""
    result = users.login(
        session, body.username, body.password, hours=settings.session_hours, remote_addr=remote
    )
    if result is None:
        session.commit()  # the failed attempt stays in the audit log
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    user, token = result
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=settings.session_hours * 3600,
        secure=settings.public_url.startswith("https"),
    )
    expires = datetime.now(UTC) + timedelta(hours=settings.session_hours)
    return LoginAnswer(token=token, expires_at=expires, user=UserPublic.model_validate(user))


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, session: SessionDep, actor: CurrentActor) -> None:
    """End the current session."""
    auth = request.headers.get("authorization", "")
    token = auth[7:] if auth.lower().startswith("bearer ") else request.cookies.get(SESSION_COOKIE)
    if token:
        users.logout(session, token)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
def me(session: SessionDep, actor: CurrentActor) -> UserPublic:
    """The logged-in user."""
    assert actor.user_id is not None
    return UserPublic.model_validate(users.get_user(session, actor.user_id))


@router.post("/tokens", status_code=201)
def create_token(body: TokenRequest, session: SessionDep, actor: CurrentActor) -> dict[str, str]:
    """A new API token for the logged-in user, shown once."""
    assert actor.user_id is not None
    return {"token": users.create_api_token(session, actor, actor.user_id, body.name)}
