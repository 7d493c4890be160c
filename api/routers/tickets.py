"""Fault tickets: list, show, change state, comment."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor, SessionDep, SettingsDep
from monitor.core.models import TicketState
from monitor.outages import tickets
from monitor.registry.schemas import Page

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])


class TicketEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    username: str
    action: str
    from_state: str | None
    to_state: str | None
    comment: str


class TicketPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    incident_id: int
    camera_code: str | None
    crew_id: int | None
    state: TicketState
    priority: int
    fault: str
    title: str
    opened_at: datetime
    due_at: datetime
    fixed_at: datetime | None
    closed_at: datetime | None


class TicketDetail(TicketPublic):
    events: list[TicketEventPublic]
    incident_faults: list[str]
    incident_started_at: datetime
    incident_ended_at: datetime | None


class StateChange(BaseModel):
    state: TicketState
    comment: str = Field(default="", max_length=2000)
    crew_id: int | None = None


class CommentIn(BaseModel):
    comment: str = Field(min_length=1, max_length=2000)


def _public(ticket) -> TicketPublic:  # type: ignore[no-untyped-def]
    return TicketPublic.model_validate(
        {
            **{k: getattr(ticket, k) for k in TicketPublic.model_fields if k != "camera_code"},
            "camera_code": ticket.camera.code if ticket.camera else None,
        }
    )


def _detail(ticket) -> TicketDetail:  # type: ignore[no-untyped-def]
    return TicketDetail(
        **_public(ticket).model_dump(),
        events=[TicketEventPublic.model_validate(e) for e in ticket.events],
        incident_faults=list(ticket.incident.faults or []),
        incident_started_at=ticket.incident.started_at,
        incident_ended_at=ticket.incident.ended_at,
    )


@router.get("")
def list_tickets(
    session: SessionDep,
    actor: CurrentActor,
    state: TicketState | None = None,
    open_only: bool = Query(default=False, alias="open"),
    area: str | None = Query(default=None, description="cluster, commune or village code"),
    camera: str | None = None,
    crew_id: int | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[TicketPublic]:
    """Tickets (a crew sees its own), newest first."""
    rows, total = tickets.list_tickets(
        session,
        actor,
        state=state,
        open_only=open_only,
        area_code=area,
        camera_code=camera,
        crew_id=crew_id,
        limit=limit,
        offset=offset,
    )
    return Page[TicketPublic](
        items=[_public(t) for t in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{ticket_id}")
def get_ticket(ticket_id: int, session: SessionDep, actor: CurrentActor) -> TicketDetail:
    """One ticket with its history."""
    return _detail(tickets.get_ticket(session, actor, ticket_id))


@router.post("/{ticket_id}/state")
def change_state(
    ticket_id: int,
    body: StateChange,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> TicketDetail:
    """Move a ticket: crews start and fix; technicians and admins also assign, close, reopen."""
    ticket = tickets.change_state(
        session,
        actor,
        ticket_id,
        body.state,
        body.comment,
        settings=settings,
        crew_id=body.crew_id,
    )
    return _detail(ticket)


@router.post("/{ticket_id}/comments", status_code=201)
def add_comment(
    ticket_id: int,
    body: CommentIn,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> TicketDetail:
    """Comment on a ticket (the crew is told)."""
    tickets.add_comment(session, actor, ticket_id, body.comment, settings=settings)
    return _detail(tickets.get_ticket(session, actor, ticket_id))
