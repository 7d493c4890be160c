"""Cameras: registry, import and export."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentActor, EditorActor, RulesDep, SessionDep, UploadedTable
from api.presenters import camera_public
from monitor.core.models import HealthState
from monitor.core.paging import Page
from monitor.registry import cameras
from monitor.registry.exporter import export_cameras
from monitor.registry.importer import import_cameras
from monitor.registry.schemas import (
    CameraCreate,
    CameraPublic,
    CameraUpdate,
    MaintenanceCreate,
    MaintenancePublic,
)
from monitor.registry.search import CameraQuery, search_cameras

router = APIRouter(prefix="/api/v1/cameras", tags=["cameras"])

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportAnswer(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    hosts_created: int


@router.get("")
def list_cameras(
    session: SessionDep,
    actor: CurrentActor,
    area: str | None = Query(default=None, description="area code: cameras in its subtree"),
    q: str | None = Query(
        default=None,
        max_length=100,
        description="words in code/name/address/area (accents and case ignored)",
    ),
    state: HealthState | None = Query(default=None, description="current health state"),
    vendor: str | None = Query(default=None, max_length=100),
    tag: str | None = Query(default=None, max_length=100),
    enabled: bool | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[CameraPublic]:
    """Cameras in your scope."""
    query = CameraQuery(
        q=q or "",
        area_code=area or "",
        state=state,
        vendor=vendor or "",
        tag=tag or "",
        enabled=enabled,
    )
    rows, total = search_cameras(session, actor, query, limit=limit, offset=offset)
    items = [camera_public(c, actor) for c in rows]
    return Page[CameraPublic](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
def create_camera(
    body: CameraCreate, session: SessionDep, actor: EditorActor, rules: RulesDep
) -> CameraPublic:
    """Register a camera (its address must be inside the allowed probe networks)."""
    return camera_public(cameras.create_camera(session, actor, body, rules), actor)


@router.post("/import")
def import_file(
    session: SessionDep, actor: EditorActor, rules: RulesDep, table: UploadedTable
) -> ImportAnswer:
    """Import a CSV/XLSX file: all rows valid or nothing written (422 lists every problem)."""
    summary = import_cameras(session, actor, table, rules)
    return ImportAnswer(
        rows=summary.rows,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        hosts_created=summary.hosts_created,
    )


@router.get("/export")
def export_file(
    session: SessionDep,
    actor: CurrentActor,
    format: Literal["csv", "xlsx"] = "csv",
    lang: Literal["vi", "en"] = "vi",
    area: str | None = None,
    q: str | None = None,
) -> Response:
    """The registry as CSV or XLSX (no passwords), headers in Vietnamese or English."""
    body = export_cameras(session, actor, format, language=lang, area_code=area, q=q)
    filename = f"cameras.{format}"
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{code}")
def get_camera(code: str, session: SessionDep, actor: CurrentActor) -> CameraPublic:
    """One camera."""
    return camera_public(cameras.get_camera(session, actor, code), actor)


@router.patch("/{code}")
def update_camera(
    code: str, body: CameraUpdate, session: SessionDep, actor: EditorActor, rules: RulesDep
) -> CameraPublic:
    """Change a camera (send `password` to replace the stored one; it is never shown)."""
    return camera_public(cameras.update_camera(session, actor, code, body, rules), actor)


@router.delete("/{code}", status_code=204)
def delete_camera(code: str, session: SessionDep, actor: EditorActor) -> None:
    """Remove a camera."""
    cameras.delete_camera(session, actor, code)


@router.get("/{code}/maintenance")
def list_maintenance(
    code: str, session: SessionDep, actor: CurrentActor
) -> list[MaintenancePublic]:
    """A camera's maintenance windows."""
    camera = cameras.get_camera(session, actor, code)
    return [MaintenancePublic.model_validate(w) for w in camera.maintenance_windows]


@router.post("/{code}/maintenance", status_code=201)
def add_maintenance(
    code: str, body: MaintenanceCreate, session: SessionDep, actor: EditorActor
) -> MaintenancePublic:
    """Schedule a maintenance window (probed, but no outage or ticket)."""
    return MaintenancePublic.model_validate(cameras.add_maintenance(session, actor, code, body))
