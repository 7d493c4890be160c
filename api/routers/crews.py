"""Repair crews."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import CurrentActor, EditorActor, SessionDep
from monitor.core.paging import Page
from monitor.registry import crews
from monitor.registry.schemas import CrewCreate, CrewPublic, CrewUpdate

router = APIRouter(prefix="/api/v1/crews", tags=["crews"])


@router.get("")
def list_crews(
    session: SessionDep,
    actor: CurrentActor,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[CrewPublic]:
    """Crews (a crew user sees its own)."""
    rows, total = crews.list_crews(session, actor, limit=limit, offset=offset)
    items = [CrewPublic.model_validate(c) for c in rows]
    return Page[CrewPublic](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
def create_crew(body: CrewCreate, session: SessionDep, actor: EditorActor) -> CrewPublic:
    """Add a crew."""
    return CrewPublic.model_validate(crews.create_crew(session, actor, body))


@router.get("/{crew_id}")
def get_crew(crew_id: int, session: SessionDep, actor: CurrentActor) -> CrewPublic:
    """One crew."""
    return CrewPublic.model_validate(crews.get_crew(session, actor, crew_id))


@router.patch("/{crew_id}")
def update_crew(
    crew_id: int, body: CrewUpdate, session: SessionDep, actor: EditorActor
) -> CrewPublic:
    """Change a crew or its areas."""
    return CrewPublic.model_validate(crews.update_crew(session, actor, crew_id, body))


@router.delete("/{crew_id}", status_code=204)
def delete_crew(crew_id: int, session: SessionDep, actor: EditorActor) -> None:
    """Delete a crew without users."""
    crews.delete_crew(session, actor, crew_id)
