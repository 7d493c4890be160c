"""People and machines that use the API: users, roles and tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.core.models.base import Base, TimestampMixin, str_enum, utcnow
from monitor.core.models.registry import Area, Crew


class Role(enum.StrEnum):
    """What a user may do."""

    ADMIN = "admin"
    TECHNICIAN = "technician"
    POLICE = "police"
    CREW = "crew"


user_areas = Table(
    "user_areas",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base, TimestampMixin):
    """A person (or a machine account) with a role; crew users belong to one crew.

    A police user with areas (a commune police post) sees only those areas; without any, the
    whole province.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id", ondelete="RESTRICT"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(5), default="vi")

    crew: Mapped[Crew | None] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=user_areas, order_by="Area.code")


class TokenKind(enum.StrEnum):
    """An API token for machines, or a login session for people."""

    API = "api"
    SESSION = "session"


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
