"""Ticket pages for crews and technicians: my open tickets, one ticket, change state, comment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.web.auth import PageActor
from api.web.field import field_context
from api.web.paging import fetch_page, requested_page
from api.web.templating import render
from monitor.core.access import Actor
from monitor.core.errors import InvalidData, NotFound, PermissionDenied
from monitor.core.models import Role, TicketState
from monitor.outages import tickets

router = APIRouter(tags=["web"], include_in_schema=False)
PAGE_SIZE = 50


@router.get("/tickets")
def tickets_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    state: str = "",
    show: str = "open",
) -> HTMLResponse:
    """Open tickets (a crew: its own, 'my open tickets'), or all of them, newest first."""
    wanted = TicketState(state) if state in set(TicketState) else None
    show = show if show in ("open", "all") else "open"
    listing = fetch_page(
        lambda limit, offset: tickets.list_tickets(
            session, actor, state=wanted, open_only=show == "open", limit=limit, offset=offset
        ),
        requested_page(request),
        PAGE_SIZE,
    )
    context = {
        "rows": listing.rows,
        "total": listing.total,
        "listing": listing,
        "state": state,
        "show": show,
        "states": list(TicketState),
    }
    return render(request, "tickets.html", context, actor=actor)


def _targets(actor: Actor, current: TicketState) -> list[TicketState]:
    """States this actor may move the ticket to now (what the form offers)."""
    allowed = tickets.ROLE_TARGETS.get(actor.role, frozenset())
    return [
        s
        for s in TicketState
        if s in allowed and s in tickets.TRANSITIONS[current] and s != TicketState.ASSIGNED
    ]


def _detail(
    request: Request,
    session: SessionDep,
    actor: Actor,
    ticket_id: int,
    *,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    try:
        ticket = tickets.get_ticket(session, actor, ticket_id)
    except NotFound as exc:
        return render(
            request,
            "error.html",
            {"title_key": "error.not_found.title", "text_key": "", "detail": str(exc)},
            actor=actor,
            status_code=404,
        )
    context = {
        "ticket": ticket,
        "targets": _targets(actor, ticket.state),
        "error": error,
        "may_comment": actor.role != Role.POLICE,
        **field_context(session, actor, ticket),
    }
    return render(request, "ticket.html", context, actor=actor, status_code=status_code)


@router.get("/tickets/{ticket_id}")
def ticket_page(
    ticket_id: int, request: Request, session: SessionDep, actor: PageActor
) -> HTMLResponse:
    """One ticket: its camera, state, history, and the forms to move it or comment."""
    return _detail(request, session, actor, ticket_id)


@router.post("/tickets/{ticket_id}/state", response_model=None)
def ticket_state(
    ticket_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PageActor,
    to_state: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Move the ticket (the lifecycle rules decide what this role may do)."""
    try:
        target = TicketState(to_state)
        tickets.change_state(session, actor, ticket_id, target, comment, settings=settings)
    except ValueError:
        return _detail(
            request, session, actor, ticket_id, error=f"unknown state {to_state!r}", status_code=422
        )
    except (PermissionDenied, InvalidData) as exc:
        session.rollback()
        code = 403 if isinstance(exc, PermissionDenied) else 422
        return _detail(request, session, actor, ticket_id, error=str(exc), status_code=code)
    except NotFound:
        return _detail(request, session, actor, ticket_id)
    session.commit()  # before the redirect: the ticket page is read right after it
    return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)


@router.post("/tickets/{ticket_id}/comment", response_model=None)
def ticket_comment(
    ticket_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PageActor,
    comment: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Add a comment to the ticket's history."""
    try:
        tickets.add_comment(session, actor, ticket_id, comment, settings=settings)
    except (PermissionDenied, InvalidData) as exc:
        session.rollback()
        code = 403 if isinstance(exc, PermissionDenied) else 422
        return _detail(request, session, actor, ticket_id, error=str(exc), status_code=code)
    except NotFound:
        return _detail(request, session, actor, ticket_id)
    session.commit()  # before the redirect: the ticket page is read right after it
    return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)
