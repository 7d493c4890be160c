"""Turning movement-registry rows into their public shapes."""

from __future__ import annotations

from monitor.core.models import ModelInstance
from monitor.movement.instances import dossier_completeness, last_reviewed_on
from monitor.movement.schemas import (
    BudgetPublic,
    DossierEntry,
    InstancePublic,
    TargetPublic,
    TypeRef,
)
from monitor.registry.schemas import AreaRef


def instance_public(row: ModelInstance) -> InstancePublic:
    """An instance with its dossier completeness, figures, camera codes and last review date."""
    return InstancePublic(
        id=row.id,
        code=row.code,
        type=TypeRef.model_validate(row.type),
        name=row.name,
        unit_name=row.unit_name,
        unit_kind=row.unit_kind,
        host_id=row.host_id,
        area=AreaRef.model_validate(row.area),
        started_on=row.started_on,
        responsible_person=row.responsible_person,
        responsible_phone=row.responsible_phone,
        status=row.status,
        dossier=[DossierEntry(item=i["item"], done=bool(i.get("done"))) for i in row.dossier],
        dossier_completeness=dossier_completeness(row),
        budgets=[BudgetPublic.model_validate(b) for b in row.budgets],
        targets=[TargetPublic.model_validate(t) for t in row.targets],
        camera_codes=[c.code for c in row.cameras],
        last_reviewed_on=last_reviewed_on(row),
        notes=row.notes,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
