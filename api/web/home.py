"""The home overview (every role) and the global camera search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web import page_strings  # noqa: F401  (registers the page strings)
from api.web.auth import PageActor
from api.web.templating import render
from monitor.core.models import Role, Ticket
from monitor.outages import tickets
from monitor.registry.search import CameraQuery, search_cameras, statuses
from monitor.reports.overview import STATES, build_overview

router = APIRouter(tags=["web"], include_in_schema=False)
SEARCH_LIMIT = 100
MY_TICKETS = 20


@router.get("/")
def home_page(request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """Cameras by state in the user's areas, open work, worst areas, last hour's changes.

    A crew sees its open tickets first, as cards: that is where its day starts.
    """
    overview = build_overview(session, actor)
    my_tickets: list[Ticket] = []
    if actor.role == Role.CREW:
        my_tickets, _ = tickets.list_tickets(session, actor, open_only=True, limit=MY_TICKETS)
    context = {"o": overview, "states": [s.value for s in STATES], "my_tickets": my_tickets}
    return render(request, "pages/home.html", context, actor=actor)


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Cameras whose code, name, address or commune holds the words (accents and case ignored)."""
    rows, total = (
        search_cameras(session, actor, CameraQuery(q=q), limit=SEARCH_LIMIT)
        if q.strip()
        else ([], 0)
    )
    context = {
        "q": q,
        "rows": rows,
        "total": total,
        "status": statuses(session, [c.id for c in rows]),
    }
    return render(request, "pages/search.html", context, actor=actor)
