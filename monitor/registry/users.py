"""Users, their API tokens and login sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, InvalidData, NotFound, PermissionDenied
from monitor.core.models import ApiToken, Area, Crew, Role, TokenKind, User, as_utc, utcnow
from monitor.core.paging import paginate
from monitor.core.security import (
    hash_password,
    new_token,
    token_digest,
    verify_dummy,
    verify_password,
)
from monitor.registry.crews import covered_areas
from monitor.registry.schemas import UserCreate, UserUpdate

MIN_PASSWORD = 8


def get_user(session: Session, user_id: int) -> User:
    """The user with this id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def get_user_by_name(session: Session, username: str) -> User:
    """The user with this username."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username!r} not found")
    return user


def list_users(
    session: Session, actor: Actor, *, q: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[User], int]:
    """All users (admins only)."""
    actor.require_admin()
    stmt = select(User)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like)))
    return paginate(session, stmt.order_by(User.username), limit, offset)


def _check_crew(session: Session, role: Role, crew_id: int | None) -> None:
    if role == Role.CREW:
        if crew_id is None:
            raise InvalidData("a crew user must belong to a crew (crew_id)")
        if session.get(Crew, crew_id) is None:
            raise InvalidData(f"crew {crew_id} not found")
    elif crew_id is not None:
        raise InvalidData("only crew users belong to a crew")


def _areas_for(session: Session, role: Role, codes: list[str]) -> list[Area]:
    if codes and role != Role.POLICE:
        raise InvalidData("only police users are limited to areas (crews through their crew)")
    return covered_areas(session, codes)


def create_user(session: Session, actor: Actor, data: UserCreate) -> tuple[User, str]:
    """Create a user and a first API token; the token is returned once and stored only hashed."""
    actor.require_admin()
    if session.scalar(select(User.id).where(User.username == data.username)):
        raise Conflict(f"user {data.username!r} already exists")
    _check_crew(session, data.role, data.crew_id)
    user = User(
        username=data.username,
        full_name=data.full_name,
        role=data.role,
        crew_id=data.crew_id,
        language=data.language,
        password_hash=hash_password(data.password.get_secret_value()) if data.password else None,
    )
    user.areas = _areas_for(session, data.role, data.area_codes)
    session.add(user)
    session.flush()
    token = issue_token(session, user, TokenKind.API, name="initial")
    audit.record(session, actor, "create", "user", user.username, audit.diff({}, user_fields(user)))
    return user, token


def update_user(
    session: Session, actor: Actor, user_id: int, data: UserUpdate, *, keep_token: str = ""
) -> User:
    """Change a user's role, crew, password or active flag (admins only).

    A new password ends every session and API token of the user, except `keep_token` (the one
    the request came with, when admins change their own password).
    """
    actor.require_admin()
    user = get_user(session, user_id)
    before = user_fields(user)
    values = data.model_dump(exclude_unset=True, exclude={"password"})
    codes = values.pop("area_codes", None)
    role = values.get("role", user.role)
    crew_id = values.get("crew_id", user.crew_id)
    if role != Role.CREW and "crew_id" not in values:
        crew_id = None
    _check_crew(session, role, crew_id)
    for key, value in values.items():
        setattr(user, key, value)
    user.crew_id = crew_id
    if codes is not None:
        user.areas = _areas_for(session, role, codes)
    elif role != Role.POLICE:
        user.areas = []
    if data.password is not None:
        user.password_hash = hash_password(data.password.get_secret_value())
        revoke_all_tokens(session, user, keep=keep_token)
    if values.get("active") is False:
        revoke_all_tokens(session, user)
    audit.record(
        session, actor, "update", "user", user.username, audit.diff(before, user_fields(user))
    )
    return user


def reset_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Give a user a new password and end every login session of theirs (admins only).

    API tokens of machine accounts stay valid: they are not sessions, and revoking them would
    stop a script that has nothing to do with the person's password.
    """
    actor.require_admin()
    if len(password) < MIN_PASSWORD:
        raise InvalidData(f"a password needs at least {MIN_PASSWORD} characters")
    user = get_user(session, user_id)
    user.password_hash = hash_password(password)
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.kind == TokenKind.SESSION)
    ):
        token.revoked = True
    audit.record(session, actor, "password_reset", "user", user.username)
    return user


def issue_token(
    session: Session, user: User, kind: TokenKind, *, name: str = "", hours: int | None = None
) -> str:
    """Store a new token for `user` (hashed) and return the plaintext once."""
    token = new_token()
    expires = utcnow() + timedelta(hours=hours) if hours else None
    session.add(
        ApiToken(
            user=user, kind=kind, name=name, token_hash=token_digest(token), expires_at=expires
        )
    )
    session.flush()
    return token


def create_api_token(session: Session, actor: Actor, user_id: int, name: str) -> str:
    """A new API token for a user (admins, or the user for themself)."""
    if not actor.is_admin and actor.user_id != user_id:
        raise PermissionDenied("you may only create tokens for yourself")
    user = get_user(session, user_id)
    token = issue_token(session, user, TokenKind.API, name=name)
    audit.record(session, actor, "token_created", "user", user.username, {"token": [None, name]})
    return token


def revoke_all_tokens(session: Session, user: User, *, keep: str = "") -> None:
    """Invalidate every token and session of a user (except the token `keep`, if given)."""
    kept = token_digest(keep) if keep else None
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        if token.token_hash != kept:
            token.revoked = True


def change_own_password(
    session: Session, actor: Actor, current: str, new: str, *, keep_token: str = ""
) -> None:
    """A user's own password change: the current password is checked, other sessions end."""
    if actor.user_id is None:
        raise PermissionDenied("only a user has a password")
    user = get_user(session, actor.user_id)
    if not verify_password(user.password_hash, current):
        raise PermissionDenied("the current password is wrong")
    user.password_hash = hash_password(new)
    revoke_all_tokens(session, user, keep=keep_token)
    audit.record(session, actor, "password_changed", "user", user.username)


def login(
    session: Session, username: str, password: str, *, hours: int, remote_addr: str = ""
) -> tuple[User, str] | None:
    """Check a username/password; on success open a session token. Every attempt is audited."""
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and user.active and user.password_hash:
        ok = verify_password(user.password_hash, password)
    else:
        # As slow as a wrong password of a real user: the answer time names no usernames.
        verify_dummy(password)
        ok = False
    actor = Actor(
        user_id=user.id if user else None,
        username=username[:80],
        role=user.role if user else Role.POLICE,
        remote_addr=remote_addr,
    )
    if not ok or user is None:
        audit.record(session, actor, "login_failed", "user", username[:80])
        return None
    token = issue_token(session, user, TokenKind.SESSION, name="login", hours=hours)
    audit.record(session, actor, "login", "user", user.username)
    return user, token


def logout(session: Session, token: str) -> None:
    """Revoke the session behind a token."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is not None:
        row.revoked = True


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to."""
    row = session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == token_digest(token))
    )
    if row is None or row.revoked or not row.user.active:
        return None
    expires = as_utc(row.expires_at)
    if expires is not None and expires <= datetime.now(UTC):
        return None
    row.last_used_at = utcnow()
    return row.user


def user_fields(user: User) -> dict[str, object]:
    """A user's fields as the audit log records them."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "crew_id": user.crew_id,
        "areas": ",".join(a.code for a in user.areas),
        "active": user.active,
        "password_hash": user.password_hash,
    }
