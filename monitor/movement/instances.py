"""Model instances: who runs which model where, their dossier, figures and linked cameras."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, InvalidData, NotFound
from monitor.core.models import (
    Area,
    Camera,
    Host,
    ModelBudget,
    ModelInstance,
    ModelStatus,
    ModelTarget,
    ModelType,
    UnitKind,
)
from monitor.core.paging import paginate
from monitor.movement.access import require_editor, require_reader
from monitor.movement.schemas import InstanceCreate, InstanceFields, InstanceUpdate
from monitor.movement.types import get_type
from monitor.registry.areas import get_area

# Columns copied as they are from validated fields onto the row.
PLAIN_FIELDS = (
    "name",
    "unit_name",
    "unit_kind",
    "started_on",
    "responsible_person",
    "responsible_phone",
    "status",
    "notes",
)


def _base_query():
    return (
        select(ModelInstance)
        .join(ModelInstance.area)
        .join(ModelInstance.type)
        .options(
            joinedload(ModelInstance.area),
            joinedload(ModelInstance.type),
            selectinload(ModelInstance.cameras),
            selectinload(ModelInstance.budgets),
            selectinload(ModelInstance.targets),
            selectinload(ModelInstance.reviews),
        )
    )


def get_instance(session: Session, actor: Actor, code: str) -> ModelInstance:
    """The instance with this code, or NotFound."""
    require_reader(actor)
    row = session.scalar(_base_query().where(ModelInstance.code == code))
    if row is None:
        raise NotFound(f"model instance {code!r} not found")
    return row


def list_instances(
    session: Session,
    actor: Actor,
    *,
    area_code: str | None = None,
    type_code: str | None = None,
    status: ModelStatus | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[ModelInstance], int]:
    """Instances filtered by area subtree, type, status and text, ordered by code."""
    require_reader(actor)
    stmt = _base_query()
    if area_code:
        stmt = stmt.where(Area.path.like(f"{get_area(session, area_code).path}%"))
    if type_code:
        stmt = stmt.where(ModelType.code == type_code)
    if status:
        stmt = stmt.where(ModelInstance.status == status)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                ModelInstance.code.ilike(like),
                ModelInstance.name.ilike(like),
                ModelInstance.unit_name.ilike(like),
                ModelInstance.responsible_person.ilike(like),
            )
        )
    return paginate(session, stmt.order_by(ModelInstance.code), limit, offset)


def dossier_completeness(row: ModelInstance) -> float:
    """Share of dossier items done, in percent (100 for an empty checklist)."""
    items = row.dossier or []
    if not items:
        return 100.0
    return round(100.0 * sum(1 for i in items if i.get("done")) / len(items), 1)


def missing_dossier_items(row: ModelInstance) -> list[str]:
    """Dossier items not done yet."""
    return [i["item"] for i in row.dossier or [] if not i.get("done")]


def last_reviewed_on(row: ModelInstance) -> date | None:
    """Date of the latest review, if any."""
    return max((r.reviewed_on for r in row.reviews), default=None)


@dataclass(frozen=True, slots=True)
class Lookup:
    """Areas and cameras already loaded by code, so a bulk import does not query row by row."""

    areas: Mapping[str, Area] = field(default_factory=dict)
    cameras: Mapping[str, Camera] = field(default_factory=dict)


def apply_fields(
    session: Session,
    row: ModelInstance,
    data: InstanceFields,
    *,
    only_set: bool,
    merge: bool,
    lookup: Lookup | None = None,
) -> None:
    """Copy validated fields onto an instance; `merge` upserts figures instead of replacing them."""
    # Only differing values are assigned, so an unchanged import leaves rows (and updated_at) alone.
    values = data.model_dump(exclude_unset=only_set)
    lookup = lookup or Lookup()
    if values.get("area_code") is not None:
        code = values["area_code"]
        area = lookup.areas.get(code) or get_area(session, code)
        if row.area is not area:
            row.area = area
    if "host_id" in values and (values["host_id"] is not None or only_set):
        host = _host(session, values["host_id"])
        if row.host is not host:
            row.host = host
    for name in PLAIN_FIELDS:
        if name in values and values[name] is not None and getattr(row, name) != values[name]:
            setattr(row, name, values[name])
    if data.dossier_done is not None:
        dossier = _dossier(row, data.dossier_done)
        if dossier != row.dossier:
            row.dossier = dossier
    if data.budgets is not None:
        _set_budgets(row, {b.year: b.amount_vnd for b in data.budgets}, merge=merge)
    if data.targets is not None:
        _set_targets(row, data.targets, merge=merge)
    if data.camera_codes is not None:
        cameras = _cameras(session, row, data.camera_codes, lookup.cameras)
        if [c.id for c in cameras] != [c.id for c in row.cameras]:
            row.cameras = cameras


def _host(session: Session, host_id: int | None) -> Host | None:
    if host_id is None:
        return None
    host = session.get(Host, host_id)
    if host is None:
        raise InvalidData(f"host {host_id} not found")
    return host


def _dossier(row: ModelInstance, done: list[str]) -> list[dict[str, Any]]:
    items = [entry["item"] for entry in row.dossier or []]
    unknown = [item for item in done if item not in items]
    if unknown:
        raise InvalidData(f"not in this model's dossier checklist: {', '.join(unknown)}")
    return [{"item": item, "done": item in done} for item in items]


def _set_budgets(row: ModelInstance, amounts: dict[int, int], *, merge: bool) -> None:
    current = {b.year: b for b in row.budgets}
    for year, budget in current.items():
        if year in amounts:
            if budget.amount_vnd != amounts[year]:
                budget.amount_vnd = amounts[year]
        elif not merge:
            row.budgets.remove(budget)
    for year, amount in sorted(amounts.items()):
        if year not in current:
            row.budgets.append(ModelBudget(year=year, amount_vnd=amount))


def _set_targets(row: ModelInstance, targets: list[Any], *, merge: bool) -> None:
    given = {(t.year, t.indicator): t for t in targets}
    current = {(t.year, t.indicator): t for t in row.targets}
    for key, stored in current.items():
        if key in given:
            if (stored.target, stored.achieved) != (given[key].target, given[key].achieved):
                stored.target, stored.achieved = given[key].target, given[key].achieved
        elif not merge:
            row.targets.remove(stored)
    for key, new in given.items():
        if key not in current:
            row.targets.append(
                ModelTarget(
                    year=new.year, indicator=new.indicator, target=new.target, achieved=new.achieved
                )
            )


def _cameras(
    session: Session, row: ModelInstance, codes: list[str], known: Mapping[str, Camera]
) -> list[Camera]:
    if codes and not row.type.links_cameras:
        raise InvalidData(f"model type {row.type.code!r} does not link cameras")
    found = {code: known[code] for code in codes if code in known}
    missing = [code for code in codes if code not in found]
    if missing:
        found.update(
            (c.code, c) for c in session.scalars(select(Camera).where(Camera.code.in_(missing)))
        )
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise InvalidData(f"unknown camera code(s): {', '.join(unknown)}")
    return [found[code] for code in dict.fromkeys(codes)]


def new_instance(session: Session, code: str, model_type: ModelType) -> ModelInstance:
    """An empty instance of a type, its dossier checklist copied from the type's template."""
    # Column defaults spelled out, so the audit entry of a not yet flushed row shows them.
    row = ModelInstance(
        code=code,
        name="",
        unit_name="",
        unit_kind=UnitKind.VILLAGE,
        responsible_person="",
        responsible_phone="",
        status=ModelStatus.ACTIVE,
        notes="",
    )
    row.type = model_type
    row.dossier = [{"item": item, "done": False} for item in model_type.dossier_template or []]
    row.budgets, row.targets, row.cameras = [], [], []
    return row


def create_instance(session: Session, actor: Actor, data: InstanceCreate) -> ModelInstance:
    """Register a model instance."""
    require_editor(actor)
    if session.scalar(select(ModelInstance.id).where(ModelInstance.code == data.code)):
        raise Conflict(f"model instance {data.code!r} already exists")
    row = new_instance(session, data.code, get_type(session, data.type_code))
    apply_fields(session, row, data, only_set=False, merge=False)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "movement_instance",
        row.code,
        audit.diff({}, instance_fields(row)),
    )
    return row


def update_instance(
    session: Session, actor: Actor, code: str, data: InstanceUpdate
) -> ModelInstance:
    """Change an instance; given lists (budgets, targets, cameras, dossier) replace stored ones."""
    require_editor(actor)
    row = get_instance(session, actor, code)
    before = instance_fields(row)
    apply_fields(session, row, data, only_set=True, merge=False)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "movement_instance",
        code,
        audit.diff(before, instance_fields(row)),
    )
    return row


def instance_fields(row: ModelInstance) -> dict[str, Any]:
    """An instance's fields as the audit log and change detection see them."""
    fields: dict[str, Any] = {name: getattr(row, name) for name in PLAIN_FIELDS}
    fields["type"] = row.type.code
    fields["area_id"] = row.area.id if row.area is not None else row.area_id
    fields["host_id"] = row.host.id if row.host is not None else row.host_id
    fields["dossier_done"] = [i["item"] for i in row.dossier or [] if i.get("done")]
    fields["budgets"] = {str(b.year): b.amount_vnd for b in row.budgets}
    fields["targets"] = {f"{t.year} {t.indicator}": [t.target, t.achieved] for t in row.targets}
    fields["cameras"] = sorted(c.code for c in row.cameras)
    return fields
