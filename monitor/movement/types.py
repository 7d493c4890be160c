"""Model types: the built-in four seeded by the migration, and the ones an admin adds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, NotFound
from monitor.core.models import ModelType
from monitor.movement.access import require_reader, require_type_admin
from monitor.movement.schemas import TypeCreate, TypeUpdate


def list_types(session: Session, actor: Actor) -> list[ModelType]:
    """Every model type, built-in ones first."""
    require_reader(actor)
    stmt = select(ModelType).order_by(ModelType.builtin.desc(), ModelType.id)
    return list(session.scalars(stmt))


def get_type(session: Session, code: str) -> ModelType:
    """The model type with this code, or NotFound."""
    row = session.scalar(select(ModelType).where(ModelType.code == code))
    if row is None:
        raise NotFound(f"model type {code!r} not found")
    return row


def create_type(session: Session, actor: Actor, data: TypeCreate) -> ModelType:
    """Add a model type (admins only)."""
    require_type_admin(actor)
    if session.scalar(select(ModelType.id).where(ModelType.code == data.code)):
        raise Conflict(f"model type {data.code!r} already exists")
    row = ModelType(**data.model_dump(), builtin=False)
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "create", "movement_type", row.code, audit.diff({}, type_fields(row))
    )
    return row


def update_type(session: Session, actor: Actor, code: str, data: TypeUpdate) -> ModelType:
    """Rename a type or change its dossier template (admins only; instances keep their lists)."""
    require_type_admin(actor)
    row = get_type(session, code)
    before = type_fields(row)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    audit.record(
        session, actor, "update", "movement_type", code, audit.diff(before, type_fields(row))
    )
    return row


def type_fields(row: ModelType) -> dict[str, object]:
    """A type's fields as the audit log records them."""
    return {
        "code": row.code,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "description": row.description,
        "dossier_template": list(row.dossier_template or []),
        "links_cameras": row.links_cameras,
    }
