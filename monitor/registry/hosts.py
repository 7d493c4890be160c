"""Hosts: the households, agencies, enterprises and schools that host cameras."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, NotFound
from monitor.core.models import Area, Camera, Host
from monitor.core.paging import paginate
from monitor.registry.areas import get_area
from monitor.registry.schemas import HostCreate, HostUpdate


def get_host(session: Session, actor: Actor, host_id: int) -> Host:
    """The host with this id, if the actor may see it."""
    host = session.get(Host, host_id, options=[joinedload(Host.area)])
    if host is None or not actor.sees_area(host.area):
        raise NotFound(f"host {host_id} not found")
    return host


def list_hosts(
    session: Session,
    actor: Actor,
    *,
    area_code: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Host], int]:
    """Hosts in the actor's scope, filtered by area subtree and text."""
    stmt = (
        select(Host)
        .join(Host.area)
        .options(joinedload(Host.area))
        .where(actor.area_filter(Area.path))
    )
    if area_code:
        stmt = stmt.where(Area.path.like(f"{get_area(session, area_code).path}%"))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(Host.name.ilike(like), Host.address.ilike(like), Host.contact_name.ilike(like))
        )
    return paginate(session, stmt.order_by(Host.name, Host.id), limit, offset)


def create_host(session: Session, actor: Actor, data: HostCreate) -> Host:
    """Register a host."""
    actor.require_registry_editor()
    area = get_area(session, data.area_code)
    if session.scalar(select(Host.id).where(Host.name == data.name, Host.area_id == area.id)):
        raise Conflict(f"host {data.name!r} already exists in area {area.code}")
    host = Host(area=area, **data.model_dump(exclude={"area_code"}))
    session.add(host)
    session.flush()
    audit.record(session, actor, "create", "host", host.id, audit.diff({}, host_fields(host)))
    return host


def update_host(session: Session, actor: Actor, host_id: int, data: HostUpdate) -> Host:
    """Change a host's fields."""
    actor.require_registry_editor()
    host = get_host(session, actor, host_id)
    before = host_fields(host)
    changes = data.model_dump(exclude_unset=True)
    if "area_code" in changes:
        host.area = get_area(session, changes.pop("area_code"))
    for key, value in changes.items():
        setattr(host, key, value)
    audit.record(session, actor, "update", "host", host.id, audit.diff(before, host_fields(host)))
    return host


def delete_host(session: Session, actor: Actor, host_id: int) -> None:
    """Delete a host that no camera refers to."""
    actor.require_registry_editor()
    host = get_host(session, actor, host_id)
    if session.scalar(select(Camera.id).where(Camera.host_id == host.id).limit(1)):
        raise Conflict(f"host {host_id} still hosts cameras")
    audit.record(session, actor, "delete", "host", host.id, audit.diff(host_fields(host), {}))
    session.delete(host)


def host_fields(host: Host) -> dict[str, object]:
    """A host's fields as the audit log records them."""
    return {
        "name": host.name,
        "kind": host.kind,
        "address": host.address,
        "area_id": host.area_id if host.area_id else (host.area.id if host.area else None),
        "contact_name": host.contact_name,
        "contact_phone": host.contact_phone,
    }
