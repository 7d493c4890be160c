"""Administrative areas."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import CurrentActor, EditorActor, SessionDep
from monitor.core.errors import NotFound
from monitor.core.models import AreaLevel
from monitor.core.paging import Page
from monitor.registry import areas
from monitor.registry.schemas import AreaCreate, AreaPublic, AreaUpdate

router = APIRouter(prefix="/api/v1/areas", tags=["areas"])


@router.get("")
def list_areas(
    session: SessionDep,
    actor: CurrentActor,
    level: AreaLevel | None = None,
    parent: str | None = Query(default=None, description="code of an area: only its sub-areas"),
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[AreaPublic]:
    """Areas, by level, parent and name/code text."""
    rows, total = areas.list_areas(
        session, actor, level=level, parent_code=parent, q=q, limit=limit, offset=offset
    )
    items = [AreaPublic.model_validate(a) for a in rows]
    return Page[AreaPublic](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
def create_area(body: AreaCreate, session: SessionDep, actor: EditorActor) -> AreaPublic:
    """Add an area."""
    return AreaPublic.model_validate(areas.create_area(session, actor, body))


@router.get("/{code}")
def get_area(code: str, session: SessionDep, actor: CurrentActor) -> AreaPublic:
    """One area."""
    area = areas.get_area(session, code)
    if not actor.sees_area(area) and area.level != AreaLevel.PROVINCE:
        raise NotFound(f"area {code!r} not found")
    return AreaPublic.model_validate(area)


@router.patch("/{code}")
def update_area(code: str, body: AreaUpdate, session: SessionDep, actor: EditorActor) -> AreaPublic:
    """Rename an area."""
    return AreaPublic.model_validate(areas.update_area(session, actor, code, body))


@router.delete("/{code}", status_code=204)
def delete_area(code: str, session: SessionDep, actor: EditorActor) -> None:
    """Delete an empty area."""
    areas.delete_area(session, actor, code)
