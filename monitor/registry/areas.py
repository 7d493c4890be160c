"""Administrative areas: province → district → commune → village."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, InvalidData, NotFound
from monitor.core.models import AREA_PARENT_LEVEL, Area, AreaLevel, Camera, Host
from monitor.core.paging import paginate
from monitor.registry.schemas import AreaCreate, AreaUpdate


def get_area(session: Session, code: str) -> Area:
    """The area with this code, or NotFound."""
    area = session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise NotFound(f"area {code!r} not found")
    return area


def list_areas(
    session: Session,
    actor: Actor,
    *,
    level: AreaLevel | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Area], int]:
    """Areas the actor may see, filtered by level, parent subtree and text."""
    stmt = select(Area).where(actor.area_filter(Area.path) | _is_ancestor_of_scope(actor))
    if level:
        stmt = stmt.where(Area.level == level)
    if parent_code:
        parent = get_area(session, parent_code)
        stmt = stmt.where(Area.path.like(f"{parent.path}%"), Area.id != parent.id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Area.name.ilike(like), Area.code.ilike(like)))
    return paginate(session, stmt.order_by(Area.path), limit, offset)


def _is_ancestor_of_scope(actor: Actor) -> ColumnElement[bool]:
    # A crew may see the province above its districts, not the other districts.
    if actor.district_ids is None:
        return false()
    return Area.level == AreaLevel.PROVINCE


def create_area(session: Session, actor: Actor, data: AreaCreate) -> Area:
    """Add an area under its parent; the level must be one below the parent's."""
    actor.require_registry_editor()
    if session.scalar(select(Area.id).where(Area.code == data.code)):
        raise Conflict(f"area code {data.code!r} already exists")
    expected_parent = AREA_PARENT_LEVEL[data.level]
    parent = get_area(session, data.parent_code) if data.parent_code else None
    if expected_parent is None and parent is not None:
        raise InvalidData("a province has no parent area")
    if expected_parent is not None and (parent is None or parent.level != expected_parent):
        raise InvalidData(f"a {data.level.value} must be inside a {expected_parent.value}")
    area = Area(code=data.code, name=data.name, level=data.level, parent=parent)
    session.add(area)
    session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    audit.record(session, actor, "create", "area", area.code, audit.diff({}, _fields(area)))
    return area


def update_area(session: Session, actor: Actor, code: str, data: AreaUpdate) -> Area:
    """Rename an area."""
    actor.require_registry_editor()
    area = get_area(session, code)
    before = _fields(area)
    if data.name is not None:
        area.name = data.name
    audit.record(session, actor, "update", "area", code, audit.diff(before, _fields(area)))
    return area


def delete_area(session: Session, actor: Actor, code: str) -> None:
    """Delete an area that holds no sub-areas, hosts or cameras."""
    actor.require_registry_editor()
    area = get_area(session, code)
    in_use = (
        session.scalar(select(Area.id).where(Area.parent_id == area.id).limit(1))
        or session.scalar(select(Camera.id).where(Camera.area_id == area.id).limit(1))
        or session.scalar(select(Host.id).where(Host.area_id == area.id).limit(1))
    )
    if in_use:
        raise Conflict(f"area {code!r} still holds sub-areas, hosts or cameras")
    audit.record(session, actor, "delete", "area", code, audit.diff(_fields(area), {}))
    session.delete(area)


def district_of(session: Session, area: Area) -> Area | None:
    """The district an area lies in (itself when it is one)."""
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    return session.scalar(select(Area).where(Area.id.in_(ids), Area.level == AreaLevel.DISTRICT))


def _fields(area: Area) -> dict[str, object]:
    return {"code": area.code, "name": area.name, "level": area.level, "parent_id": area.parent_id}
