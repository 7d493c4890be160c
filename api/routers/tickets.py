"""Fault tickets: list, show, change state, comment."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import CurrentActor, SessionDep, SettingsDep
from monitor.core.models import TicketState
from monitor.core.paging import Page
from monitor.outages import tickets
from monitor.outages.schemas import (
    TicketCommentCreate,
    TicketDetail,
    TicketPublic,
    TicketStateChange,
)

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])


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
        items=[TicketPublic.of(t) for t in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{ticket_id}")
def get_ticket(ticket_id: int, session: SessionDep, actor: CurrentActor) -> TicketDetail:
    """One ticket with its history."""
    return TicketDetail.of(tickets.get_ticket(session, actor, ticket_id))


@router.post("/{ticket_id}/state")
def change_state(
    ticket_id: int,
    body: TicketStateChange,
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
    return TicketDetail.of(ticket)


@router.post("/{ticket_id}/comments", status_code=201)
def add_comment(
    ticket_id: int,
    body: TicketCommentCreate,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> TicketDetail:
    """Comment on a ticket (the crew is told)."""
    tickets.add_comment(session, actor, ticket_id, body.comment, settings=settings)
    return TicketDetail.of(tickets.get_ticket(session, actor, ticket_id))
