"""Login and logout for people; token creation for machines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from api.deps import CurrentActor, SessionDep, SettingsDep
from api.signin import attempt_login
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
    session: SessionDep,
    settings: SettingsDep,
) -> LoginAnswer:
    """Check a username and password; answer a session token (send it as a bearer token)."""
    outcome = attempt_login(request, session, settings, body.username, body.password)
    session.commit()  # a failed attempt or a lock-out stays in the audit log
    if outcome.retry_after:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed logins: try again later",
            headers={"Retry-After": str(outcome.retry_after)},
        )
    if outcome.user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    user, token = outcome.user, outcome.token
    expires = datetime.now(UTC) + timedelta(hours=settings.session_hours)
    return LoginAnswer(token=token, expires_at=expires, user=UserPublic.model_validate(user))


@router.post("/logout", status_code=204)
def logout(request: Request, session: SessionDep, actor: CurrentActor) -> None:
    """End the session (or revoke the API token) the request is authenticated with."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        users.logout(session, auth[7:].strip())


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


@router.post("/password", status_code=204)
def change_password(
    body: PasswordChange, request: Request, session: SessionDep, actor: CurrentActor
) -> None:
    """Change your own password: every other session and API token of yours ends."""
    auth = request.headers.get("authorization", "")
    users.change_own_password(
        session, actor, body.current_password, body.new_password, keep_token=auth[7:].strip()
    )


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
