"""The movement-models registry: types, instances, reviews, report and import."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AdminActor, EditorActor, SessionDep, UploadedTable, require_roles
from api.files import attachment
from api.report_query import MovementReportParams
from api.routers.cameras import ImportAnswer
from monitor.core.access import Actor
from monitor.core.models import ModelStatus, Role
from monitor.core.paging import Page
from monitor.movement import instances, reviews, types
from monitor.movement.export import report_file
from monitor.movement.importer import import_instances
from monitor.movement.presenters import instance_public
from monitor.movement.report import MovementReport
from monitor.movement.schemas import (
    InstanceCreate,
    InstancePublic,
    InstanceUpdate,
    ReviewCreate,
    ReviewPublic,
    TypeCreate,
    TypePublic,
    TypeUpdate,
)

router = APIRouter(prefix="/api/v1/movement", tags=["movement models"])

# Police sit on the steering committees and read; crews have no business here (see
# docs/permissions.md).
ReaderActor = Annotated[Actor, require_roles(Role.ADMIN, Role.TECHNICIAN, Role.POLICE)]


@router.get("/types")
def list_types(session: SessionDep, actor: ReaderActor) -> list[TypePublic]:
    """Every model type, built-in ones first."""
    return [TypePublic.model_validate(t) for t in types.list_types(session, actor)]


@router.post("/types", status_code=201)
def create_type(body: TypeCreate, session: SessionDep, actor: AdminActor) -> TypePublic:
    """Add a model type with its dossier checklist template (admins)."""
    return TypePublic.model_validate(types.create_type(session, actor, body))


@router.patch("/types/{code}")
def update_type(code: str, body: TypeUpdate, session: SessionDep, actor: AdminActor) -> TypePublic:
    """Rename a model type or change its dossier template (admins)."""
    return TypePublic.model_validate(types.update_type(session, actor, code, body))


@router.get("/instances")
def list_instances(
    session: SessionDep,
    actor: ReaderActor,
    area: str | None = Query(default=None, description="area code: instances in its subtree"),
    type: str | None = Query(default=None, description="model type code"),
    status: ModelStatus | None = None,
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[InstancePublic]:
    """Model instances, filtered by area, type, status and text."""
    rows, total = instances.list_instances(
        session,
        actor,
        area_code=area,
        type_code=type,
        status=status,
        q=q,
        limit=limit,
        offset=offset,
    )
    items = [instance_public(r) for r in rows]
    return Page[InstancePublic](items=items, total=total, limit=limit, offset=offset)


@router.post("/instances", status_code=201)
def create_instance(
    body: InstanceCreate, session: SessionDep, actor: EditorActor
) -> InstancePublic:
    """Register a model instance (its dossier checklist comes from the type's template)."""
    return instance_public(instances.create_instance(session, actor, body))


@router.post("/instances/import")
def import_file(session: SessionDep, actor: EditorActor, table: UploadedTable) -> ImportAnswer:
    """Import instances from CSV/XLSX: all rows valid or nothing written (422 lists problems)."""
    summary = import_instances(session, actor, table)
    return ImportAnswer(
        rows=summary.rows,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        hosts_created=0,
    )


@router.get("/instances/{code}")
def get_instance(code: str, session: SessionDep, actor: ReaderActor) -> InstancePublic:
    """One model instance."""
    return instance_public(instances.get_instance(session, actor, code))


@router.patch("/instances/{code}")
def update_instance(
    code: str, body: InstanceUpdate, session: SessionDep, actor: EditorActor
) -> InstancePublic:
    """Change an instance; lists given (budgets, targets, cameras, dossier_done) replace the old."""
    return instance_public(instances.update_instance(session, actor, code, body))


@router.get("/instances/{code}/reviews")
def list_reviews(code: str, session: SessionDep, actor: ReaderActor) -> list[ReviewPublic]:
    """An instance's reviews; a camera model's show its cameras' availability and faults."""
    return reviews.list_reviews(session, actor, code)


@router.post("/instances/{code}/reviews", status_code=201)
def add_review(
    code: str, body: ReviewCreate, session: SessionDep, actor: EditorActor
) -> ReviewPublic:
    """Record a sơ kết / tổng kết; its decision sets the instance's status."""
    review = reviews.add_review(session, actor, code, body)
    return reviews.review_public(session, review.instance, review)


@router.get("/report")
def report(session: SessionDep, actor: ReaderActor, query: MovementReportParams) -> MovementReport:
    """Instances by type and status, targets, dossiers, overdue reviews, camera-model health."""
    return query.build(session, actor)


@router.get("/report/export")
def export_report(
    session: SessionDep,
    actor: ReaderActor,
    query: MovementReportParams,
    format: Literal["xlsx", "pdf"] = "xlsx",
) -> Response:
    """The report as XLSX or PDF, with what it was made for written at the top."""
    return attachment(report_file(query.build(session, actor), format, query.lang))
