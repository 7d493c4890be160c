"""Repair crews."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import EDITORS, CurrentActor, EditorActor, SessionDep, SettingsDep
from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.models import Crew
from monitor.core.paging import Page
from monitor.core.settings import Settings
from monitor.notifiers.destinations import DestinationRefused, check_webhook_url
from monitor.registry import crews
from monitor.registry.schemas import CrewCreate, CrewPublic, CrewUpdate

router = APIRouter(prefix="/api/v1/crews", tags=["crews"])


def crew_public(crew: Crew, actor: Actor) -> CrewPublic:
    """A crew as this user may see it: the webhook URL (it may embed a token) for editors only."""
    public = CrewPublic.model_validate(crew)
    if actor.role not in EDITORS:
        public.webhook_url = None
    return public


def _check_webhook(url: str | None, settings: Settings) -> None:
    if url:
        try:
            check_webhook_url(url, settings)
        except DestinationRefused as exc:
            raise InvalidData(str(exc)) from exc


@router.get("")
def list_crews(
    session: SessionDep,
    actor: CurrentActor,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[CrewPublic]:
    """Crews (a crew user sees its own)."""
    rows, total = crews.list_crews(session, actor, limit=limit, offset=offset)
    items = [crew_public(c, actor) for c in rows]
    return Page[CrewPublic](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
def create_crew(
    body: CrewCreate, session: SessionDep, actor: EditorActor, settings: SettingsDep
) -> CrewPublic:
    """Add a crew (a webhook URL must be https outside the camera networks, or allow-listed)."""
    _check_webhook(body.webhook_url, settings)
    return crew_public(crews.create_crew(session, actor, body), actor)


@router.get("/{crew_id}")
def get_crew(crew_id: int, session: SessionDep, actor: CurrentActor) -> CrewPublic:
    """One crew."""
    return crew_public(crews.get_crew(session, actor, crew_id), actor)


@router.patch("/{crew_id}")
def update_crew(
    crew_id: int, body: CrewUpdate, session: SessionDep, actor: EditorActor, settings: SettingsDep
) -> CrewPublic:
    """Change a crew or its areas."""
    _check_webhook(body.webhook_url, settings)
    return crew_public(crews.update_crew(session, actor, crew_id, body), actor)


@router.delete("/{crew_id}", status_code=204)
def delete_crew(crew_id: int, session: SessionDep, actor: EditorActor) -> None:
    """Delete a crew without users."""
    crews.delete_crew(session, actor, crew_id)
