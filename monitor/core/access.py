"""Who is acting, and which part of the registry they may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from monitor.core.errors import PermissionDenied
from monitor.core.models import Area, Crew, Role, User


@dataclass(frozen=True, slots=True)
class Actor:
    """The user behind a request or command, with the areas they are limited to."""

    user_id: int | None
    username: str
    role: Role
    # None: the whole province; otherwise ids of the areas (communes, clusters, villages) a crew
    # covers or a police post is responsible for, with the units they replaced (history).
    area_ids: frozenset[int] | None = None
    remote_addr: str = ""
    crew_id: int | None = field(default=None)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The service itself (CLI run by an operator, scheduler)."""
        return cls(user_id=None, username=name, role=Role.ADMIN)

    @classmethod
    def for_user(cls, session: Session, user: User, remote_addr: str = "") -> Actor:
        """The actor for a logged-in user: crew users see their crew's areas, police theirs."""
        scope: frozenset[int] | None = None
        if user.role == Role.CREW:
            crew = session.get(Crew, user.crew_id) if user.crew_id else None
            scope = with_predecessors(session, {a.id for a in crew.areas} if crew else set())
        elif user.role == Role.POLICE and user.areas:
            scope = with_predecessors(session, {a.id for a in user.areas})
        return cls(
            user_id=user.id,
            username=user.username,
            role=user.role,
            area_ids=scope,
            remote_addr=remote_addr,
            crew_id=user.crew_id,
        )

    @property
    def can_edit_registry(self) -> bool:
        """Admins and technicians maintain the registry."""
        return self.role in (Role.ADMIN, Role.TECHNICIAN)

    def require_registry_editor(self) -> None:
        """Raise PermissionDenied unless this actor may change the registry."""
        if not self.can_edit_registry:
            raise PermissionDenied("only admins and technicians change the registry")

    def require_admin(self) -> None:
        """Raise PermissionDenied unless this actor is an administrator."""
        if not self.is_admin:
            raise PermissionDenied("only admins may do this")

    @property
    def is_admin(self) -> bool:
        """True for administrators."""
        return self.role == Role.ADMIN

    def area_filter(
        self, area_path_column: ColumnElement[str] | InstrumentedAttribute[str]
    ) -> ColumnElement[bool]:
        """SQL condition limiting rows to this actor's areas (via an area path column)."""
        if self.area_ids is None:
            return true()
        if not self.area_ids:
            return false()
        return or_(*(area_path_column.like(f"%/{d}/%") for d in sorted(self.area_ids)))

    def sees_area(self, area: Area) -> bool:
        """True when the area lies inside this actor's areas."""
        return self.sees_path(area.path)

    def sees_path(self, path: str) -> bool:
        """True when an area path (a stored snapshot too) lies inside this actor's areas."""
        if self.area_ids is None:
            return True
        return any(f"/{d}/" in path for d in self.area_ids)

    @property
    def is_limited(self) -> bool:
        """True for an actor limited to some areas (a crew, a commune police post)."""
        return self.area_ids is not None


def with_predecessors(session: Session, area_ids: set[int]) -> frozenset[int]:
    """The areas and, recursively, the units merged into them (their history stays visible)."""
    found = set(area_ids)
    frontier = set(area_ids)
    while frontier:
        older = set(
            session.scalars(select(Area.id).where(Area.superseded_by_id.in_(sorted(frontier))))
        )
        frontier = older - found
        found |= frontier
    return frozenset(found)
