"""Administrative areas: province → (optional cluster) → commune/ward/special zone → village."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, InvalidData, NotFound
from monitor.core.models import AREA_KINDS, AREA_PARENT_LEVELS, Area, AreaLevel, Camera, Host
from monitor.core.paging import paginate
from monitor.registry.schemas import AreaCreate, AreaUpdate


def get_area(session: Session, code: str) -> Area:
    """The area with this code, or NotFound."""
    area = session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise NotFound(f"area {code!r} not found")
    return area


def path_ids(path: str) -> list[int]:
    """The area ids along a path, province first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def list_areas(
    session: Session,
    actor: Actor,
    *,
    level: AreaLevel | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    include_retired: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Area], int]:
    """Areas the actor may see, filtered by level, parent subtree and text."""
    stmt = select(Area).where(actor.area_filter(Area.path) | _above_scope(session, actor))
    if level:
        stmt = stmt.where(Area.level == level)
    if parent_code:
        parent = get_area(session, parent_code)
        stmt = stmt.where(Area.path.like(f"{parent.path}%"), Area.id != parent.id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Area.name.ilike(like), Area.code.ilike(like)))
    if not include_retired:
        stmt = stmt.where(Area.superseded_by_id.is_(None))
    return paginate(session, stmt.order_by(Area.path), limit, offset)


def sees(session: Session, actor: Actor, area: Area) -> bool:
    """True when the actor may read this area: inside its scope, or above it (its province,
    its cluster)."""
    if actor.sees_area(area) or area.level == AreaLevel.PROVINCE:
        return True
    if not actor.area_ids:
        return False
    paths = session.scalars(select(Area.path).where(Area.id.in_(sorted(actor.area_ids))))
    return any(f"/{area.id}/" in path for path in paths)


def _above_scope(session: Session, actor: Actor) -> ColumnElement[bool]:
    # A crew or commune police user sees the areas above its own (province, cluster), not others.
    if not actor.area_ids:
        return false()
    paths = session.scalars(select(Area.path).where(Area.id.in_(sorted(actor.area_ids))))
    above = {i for path in paths for i in path_ids(path)}
    return Area.id.in_(sorted(above))


def check_kind(level: AreaLevel, kind: str) -> str:
    """The unit kind, checked against the level ('' keeps the level's plain name)."""
    if kind and kind not in AREA_KINDS[level]:
        allowed = ", ".join(AREA_KINDS[level])
        raise InvalidData(f"a {level.value} is one of: {allowed}")
    return kind


def check_parent(level: AreaLevel, parent: Area | None) -> None:
    """InvalidData unless `parent` may hold an area of `level`."""
    allowed = AREA_PARENT_LEVELS[level]
    if not allowed and parent is not None:
        raise InvalidData("a province has no parent area")
    if allowed and (parent is None or parent.level not in allowed):
        names = " or ".join(a.value for a in allowed)
        raise InvalidData(f"a {level.value} must be inside a {names}")
    if parent is not None and parent.retired:
        raise InvalidData(f"area {parent.code!r} was merged into another unit")


def create_area(session: Session, actor: Actor, data: AreaCreate) -> Area:
    """Add an area under its parent (a commune under the province or a cluster)."""
    actor.require_registry_editor()
    if session.scalar(select(Area.id).where(Area.code == data.code)):
        raise Conflict(f"area code {data.code!r} already exists")
    parent = get_area(session, data.parent_code) if data.parent_code else None
    check_parent(data.level, parent)
    area = Area(
        code=data.code,
        name=data.name,
        level=data.level,
        kind=check_kind(data.level, data.kind),
        parent=parent,
    )
    session.add(area)
    session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    audit.record(session, actor, "create", "area", area.code, audit.diff({}, area_fields(area)))
    return area


def update_area(session: Session, actor: Actor, code: str, data: AreaUpdate) -> Area:
    """Correct an area's name or kind (a renaming with a new code is an import with 'replaces')."""
    actor.require_registry_editor()
    area = get_area(session, code)
    before = area_fields(area)
    if data.name is not None:
        area.name = data.name
    if data.kind is not None:
        area.kind = check_kind(area.level, data.kind)
    audit.record(session, actor, "update", "area", code, audit.diff(before, area_fields(area)))
    return area


def move_area(session: Session, area: Area, parent: Area) -> None:
    """Put an area (and everything under it) under a new parent; stored outage paths stay."""
    old = area.path
    new = f"{parent.path}{area.id}/"
    area.parent = parent
    if old == new:
        return
    for below in session.scalars(select(Area).where(Area.path.like(f"{old}%"))):
        below.path = new + below.path[len(old) :]


def delete_area(session: Session, actor: Actor, code: str) -> None:
    """Delete an area that holds no sub-areas, hosts or cameras and replaced nothing."""
    actor.require_registry_editor()
    area = get_area(session, code)
    in_use = (
        session.scalar(select(Area.id).where(Area.parent_id == area.id).limit(1))
        or session.scalar(select(Camera.id).where(Camera.area_id == area.id).limit(1))
        or session.scalar(select(Host.id).where(Host.area_id == area.id).limit(1))
        or session.scalar(select(Area.id).where(Area.superseded_by_id == area.id).limit(1))
    )
    if in_use:
        raise Conflict(f"area {code!r} still holds sub-areas, hosts or cameras")
    audit.record(session, actor, "delete", "area", code, audit.diff(area_fields(area), {}))
    session.delete(area)


def ancestor_at(session: Session, area: Area, level: AreaLevel) -> Area | None:
    """The area of `level` an area lies in (itself when it is of that level)."""
    return session.scalar(select(Area).where(Area.id.in_(path_ids(area.path)), Area.level == level))


def area_fields(area: Area) -> dict[str, object]:
    """An area's fields as the audit log records them."""
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "kind": area.kind,
        "parent_id": area.parent_id,
        "superseded_by_id": area.superseded_by_id,
    }
