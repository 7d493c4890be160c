"""Administrative areas."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentActor, EditorActor, SessionDep, UploadedTable
from monitor.core.errors import NotFound
from monitor.core.models import AreaLevel
from monitor.core.paging import Page
from monitor.registry import areas
from monitor.registry.area_import import export_areas, import_areas
from monitor.registry.schemas import AreaCreate, AreaPublic, AreaUpdate

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

router = APIRouter(prefix="/api/v1/areas", tags=["areas"])


@router.get("")
def list_areas(
    session: SessionDep,
    actor: CurrentActor,
    level: AreaLevel | None = None,
    parent: str | None = Query(default=None, description="code of an area: only its sub-areas"),
    q: str | None = Query(default=None, max_length=100),
    retired: bool = Query(default=False, description="also units merged into others"),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[AreaPublic]:
    """Areas, by level, parent and name/code text."""
    rows, total = areas.list_areas(
        session,
        actor,
        level=level,
        parent_code=parent,
        q=q,
        include_retired=retired,
        limit=limit,
        offset=offset,
    )
    items = [AreaPublic.model_validate(a) for a in rows]
    return Page[AreaPublic](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
def create_area(body: AreaCreate, session: SessionDep, actor: EditorActor) -> AreaPublic:
    """Add an area."""
    return AreaPublic.model_validate(areas.create_area(session, actor, body))


class AreaImportAnswer(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    retired: list[str]
    moved_cameras: int


@router.post("/import")
def import_file(session: SessionDep, actor: EditorActor, table: UploadedTable) -> AreaImportAnswer:
    """Import areas from CSV/XLSX: all rows valid or nothing written (422 lists every problem).

    A `replaces` column maps old codes to the new unit (a merger or renaming): the old units stay
    readable in history."""
    summary = import_areas(session, actor, table)
    return AreaImportAnswer(
        rows=summary.rows,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        retired=summary.retired,
        moved_cameras=summary.moved_cameras,
    )


@router.get("/export")
def export_file(
    session: SessionDep,
    actor: CurrentActor,
    format: Literal["csv", "xlsx"] = "csv",
    lang: Literal["vi", "en"] = "vi",
    retired: bool = False,
) -> Response:
    """The areas as CSV or XLSX, in the columns the import reads."""
    body = export_areas(session, actor, format, language=lang, retired=retired)
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="areas.{format}"'},
    )


@router.get("/{code}")
def get_area(code: str, session: SessionDep, actor: CurrentActor) -> AreaPublic:
    """One area."""
    area = areas.get_area(session, code)
    if not areas.sees(session, actor, area):
        raise NotFound(f"area {code!r} not found")
    return AreaPublic.model_validate(area)


@router.patch("/{code}")
def update_area(code: str, body: AreaUpdate, session: SessionDep, actor: EditorActor) -> AreaPublic:
    """Correct an area's name or kind."""
    return AreaPublic.model_validate(areas.update_area(session, actor, code, body))


@router.delete("/{code}", status_code=204)
def delete_area(code: str, session: SessionDep, actor: EditorActor) -> None:
    """Delete an empty area."""
    areas.delete_area(session, actor, code)
