"""Repair crews and the areas they cover (communes, clusters or villages, any set)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, InvalidData, NotFound
from monitor.core.models import Area, AreaLevel, Crew, Role, User
from monitor.core.paging import paginate
from monitor.registry.areas import get_area
from monitor.registry.schemas import CrewCreate, CrewUpdate


def get_crew(session: Session, actor: Actor, crew_id: int) -> Crew:
    """The crew with this id (a crew user sees only its own)."""
    crew = session.get(Crew, crew_id, options=[selectinload(Crew.areas)])
    if crew is None or (
        actor.crew_id is not None and actor.crew_id != crew_id and actor.area_ids is not None
    ):
        raise NotFound(f"crew {crew_id} not found")
    return crew


def list_crews(
    session: Session, actor: Actor, *, limit: int = 100, offset: int = 0
) -> tuple[list[Crew], int]:
    """Crews; a crew user sees only its own."""
    stmt = select(Crew).options(selectinload(Crew.areas)).order_by(Crew.name)
    if actor.role == Role.CREW:
        stmt = stmt.where(Crew.id == (actor.crew_id or -1))
    return paginate(session, stmt, limit, offset)


def covered_areas(session: Session, codes: list[str]) -> list[Area]:
    """The areas of these codes, for a crew or a police user (not the province, not retired)."""
    found = [get_area(session, code) for code in dict.fromkeys(codes)]
    for area in found:
        if area.level == AreaLevel.PROVINCE:
            raise InvalidData(f"{area.code} is the province: leave the areas empty for all")
        if area.retired:
            raise InvalidData(f"area {area.code!r} was merged into another unit")
    return found


def create_crew(session: Session, actor: Actor, data: CrewCreate) -> Crew:
    """Add a repair crew covering some areas."""
    actor.require_registry_editor()
    if session.scalar(select(Crew.id).where(Crew.name == data.name)):
        raise Conflict(f"crew {data.name!r} already exists")
    crew = Crew(**data.model_dump(exclude={"area_codes"}))
    crew.areas = covered_areas(session, data.area_codes)
    session.add(crew)
    session.flush()
    audit.record(session, actor, "create", "crew", crew.id, audit.diff({}, crew_fields(crew)))
    return crew


def update_crew(session: Session, actor: Actor, crew_id: int, data: CrewUpdate) -> Crew:
    """Change a crew's fields or areas."""
    actor.require_registry_editor()
    crew = get_crew(session, actor, crew_id)
    before = crew_fields(crew)
    values = data.model_dump(exclude_unset=True)
    if "area_codes" in values:
        crew.areas = covered_areas(session, values.pop("area_codes") or [])
    for key, value in values.items():
        setattr(crew, key, value)
    audit.record(session, actor, "update", "crew", crew.id, audit.diff(before, crew_fields(crew)))
    return crew


def delete_crew(session: Session, actor: Actor, crew_id: int) -> None:
    """Delete a crew that has no users."""
    actor.require_registry_editor()
    crew = get_crew(session, actor, crew_id)
    if session.scalar(select(User.id).where(User.crew_id == crew.id).limit(1)):
        raise Conflict(f"crew {crew_id} still has users")
    audit.record(session, actor, "delete", "crew", crew.id, audit.diff(crew_fields(crew), {}))
    session.delete(crew)


def crew_fields(crew: Crew) -> dict[str, object]:
    """A crew's fields as the audit log records them."""
    return {
        "name": crew.name,
        "phone": crew.phone,
        "email": crew.email,
        "webhook_url": crew.webhook_url,
        "areas": ",".join(a.code for a in crew.areas),
    }
