"""Areas and crews pages: the area tree with camera counts, the crews and what they cover."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import EDITORS, SessionDep
from api.web import page_strings  # noqa: F401  (registers the page strings)
from api.web.auth import PageActor, page_roles
from api.web.registry_pages import area_choices
from api.web.templating import add_nav_item, render
from monitor.core.access import Actor
from monitor.core.errors import Conflict, InvalidData, NotFound
from monitor.core.models import Area, AreaLevel, Camera, Crew, Ticket, TicketState, User
from monitor.registry import areas as area_registry
from monitor.registry import crews as crew_registry
from monitor.registry.schemas import AreaCreate, CrewCreate

router = APIRouter(tags=["web"], include_in_schema=False)
EDITOR_ROLES = frozenset(EDITORS)
# The crew schema's list of covered area codes (named after the area model of the day).
AREA_CODES_FIELD = next(name for name in CrewCreate.model_fields if name.endswith("_codes"))

add_nav_item("/areas", "nav.areas", EDITOR_ROLES)
add_nav_item("/crews", "nav.crews", EDITOR_ROLES)


def crew_areas(crew: Crew) -> list[Area]:
    """The areas a crew covers (the relationship's name follows the area model)."""
    return list(crew.areas)


def _camera_counts(session: Session, actor: Actor) -> Counter[int]:
    # Cameras per area, counted on the area itself and every area above it.
    counts: Counter[int] = Counter()
    rows = session.execute(
        select(Area.path, func.count(Camera.id))
        .join(Camera, Camera.area_id == Area.id)
        .where(actor.area_filter(Area.path))
        .group_by(Area.path)
    )
    for path, n in rows:
        for part in path.strip("/").split("/"):
            if part:
                counts[int(part)] += n
    return counts


def _areas_page(
    request: Request, session: SessionDep, actor: Actor, *, error: str = "", status: int = 200
) -> HTMLResponse:
    context = {
        "areas": area_choices(session, actor),
        "counts": _camera_counts(session, actor),
        "levels": list(AreaLevel),
        "error": error,
        "msg": request.query_params.get("msg", ""),
    }
    return render(request, "pages/areas.html", context, actor=actor, status_code=status)


@router.get("/areas")
def areas_page(request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """The areas the user may see, as a tree with camera counts."""
    return _areas_page(request, session, actor)


@router.post("/areas", response_model=None)
def areas_create(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form(max_length=32)],
    name: Annotated[str, Form(max_length=200)],
    level: Annotated[str, Form(max_length=16)],
    parent_code: Annotated[str, Form(max_length=32)] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Add an area under its parent."""
    try:
        data = AreaCreate(
            code=code.strip(),
            name=name.strip(),
            level=AreaLevel(level),
            parent_code=parent_code or None,
        )
        area_registry.create_area(session, actor, data)
    except (ValidationError, InvalidData, Conflict, NotFound) as exc:
        session.rollback()
        return _areas_page(request, session, actor, error=_short(exc), status=422)
    session.commit()
    return RedirectResponse("/areas?msg=added", status_code=303)


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{e['loc'][0] if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
    return str(exc)


def _crews_page(
    request: Request, session: SessionDep, actor: Actor, *, error: str = "", status: int = 200
) -> HTMLResponse:
    crews, _ = crew_registry.list_crews(session, actor, limit=1000)
    members = Counter(
        dict(
            session.execute(
                select(User.crew_id, func.count(User.id))
                .where(User.crew_id.is_not(None))
                .group_by(User.crew_id)
            ).all()
        )
    )
    open_tickets = Counter(
        dict(
            session.execute(
                select(Ticket.crew_id, func.count(Ticket.id))
                .where(Ticket.crew_id.is_not(None), Ticket.state != TicketState.CLOSED)
                .group_by(Ticket.crew_id)
            ).all()
        )
    )
    context = {
        "crews": crews,
        "crew_areas": crew_areas,
        "members": members,
        "open_tickets": open_tickets,
        "areas": area_choices(session, actor),
        "error": error,
        "msg": request.query_params.get("msg", ""),
    }
    return render(request, "pages/crews.html", context, actor=actor, status_code=status)


@router.get("/crews")
def crews_page(request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """Repair crews, the areas they cover, their members and open tickets."""
    return _crews_page(request, session, actor)


@router.post("/crews", response_model=None)
def crews_create(
    request: Request,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)],
    phone: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
    area_codes: Annotated[list[str], Form()] = [],  # noqa: B006 (read, never mutated)
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Add a crew covering the chosen areas."""
    try:
        data = CrewCreate(name=name.strip(), phone=phone.strip(), email=email.strip())
        data = data.model_copy(update={AREA_CODES_FIELD: list(area_codes)})
        crew_registry.create_crew(session, actor, data)
    except (ValidationError, InvalidData, Conflict, NotFound) as exc:
        session.rollback()
        return _crews_page(request, session, actor, error=_short(exc), status=422)
    session.commit()
    return RedirectResponse("/crews?msg=added", status_code=303)
