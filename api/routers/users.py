"""Users (administrators only)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.deps import AdminActor, SessionDep
from monitor.core.paging import Page
from monitor.registry import users
from monitor.registry.schemas import UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/api/v1/users", tags=["users"])


class UserCreated(BaseModel):
    user: UserPublic
    token: str


@router.get("")
def list_users(
    session: SessionDep,
    actor: AdminActor,
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[UserPublic]:
    """All users."""
    rows, total = users.list_users(session, actor, q=q, limit=limit, offset=offset)
    items = [UserPublic.model_validate(u) for u in rows]
    return Page[UserPublic](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
def create_user(body: UserCreate, session: SessionDep, actor: AdminActor) -> UserCreated:
    """Create a user; the answer carries its first API token, shown this once."""
    user, token = users.create_user(session, actor, body)
    return UserCreated(user=UserPublic.model_validate(user), token=token)


@router.get("/{user_id}")
def get_user(user_id: int, session: SessionDep, actor: AdminActor) -> UserPublic:
    """One user."""
    return UserPublic.model_validate(users.get_user(session, user_id))


@router.patch("/{user_id}")
def update_user(
    user_id: int, body: UserUpdate, request: Request, session: SessionDep, actor: AdminActor
) -> UserPublic:
    """Change a user's role, crew, password or active flag; a new password ends their sessions."""
    bearer = request.headers.get("authorization", "")[7:].strip()
    return UserPublic.model_validate(
        users.update_user(session, actor, user_id, body, keep_token=bearer)
    )
