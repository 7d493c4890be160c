"""Registry pages for technicians: camera list with bulk actions, import, maintenance windows
and the reference view from the camera page.

Forms are plain POSTs answered with a redirect (messages travel as `?msg=` keys); each form
template holds its fields only, so a CSRF field can be added as one line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import EDITORS, RulesDep, SessionDep
from api.web import page_strings  # noqa: F401  (registers the page strings)
from api.web.auth import PageActor, page_roles
from api.web.paging import Page, fetch_page, requested_page
from api.web.templating import add_nav_item, render, request_lang
from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import ImportRejected, InvalidData, NotFound, RowProblem
from monitor.core.models import Area, CameraStatus, HealthState
from monitor.monitoring import pictures
from monitor.monitoring.pictures import MAX_IMAGE_BYTES
from monitor.registry import bulk
from monitor.registry.cameras import add_maintenance, get_camera
from monitor.registry.importer import MAX_IMPORT_BYTES, ImportSummary, import_cameras
from monitor.registry.problem_text import problem_text
from monitor.registry.schemas import MaintenanceCreate
from monitor.registry.search import CameraQuery, search_cameras, statuses, tags, vendors
from monitor.registry.sheets import format_of, read_table

router = APIRouter(tags=["web"], include_in_schema=False)
PAGE_SIZE = 50
FILTERS = ("q", "area", "state", "vendor", "tag", "enabled")

add_nav_item("/cameras", "nav.cameras")


def area_choices(session: Session, actor: Actor) -> list[tuple[Area, int]]:
    """Areas in the actor's scope with their depth below the top, in tree order."""
    rows = session.scalars(select(Area).where(actor.area_filter(Area.path)).order_by(Area.path))
    found = list(rows)
    top = min((a.path.count("/") for a in found), default=0)
    return [(a, a.path.count("/") - top) for a in found]


def _local_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidData("not a time") from exc


@router.get("/cameras")
def cameras_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
) -> HTMLResponse:
    """Cameras in the user's areas: search (accents ignored), filters, paging, bulk actions."""
    p = request.query_params
    state = p.get("state", "")
    enabled = {"1": True, "0": False}.get(p.get("enabled", ""))
    query = CameraQuery(
        q=p.get("q", "")[:100],
        area_code=p.get("area", ""),
        state=HealthState(state) if state in set(HealthState) else None,
        vendor=p.get("vendor", ""),
        tag=p.get("tag", ""),
        enabled=enabled,
    )
    error = ""
    listing = Page([], 0, 1, 1, 1)
    try:
        listing = fetch_page(
            lambda limit, offset: search_cameras(session, actor, query, limit=limit, offset=offset),
            requested_page(request),
            PAGE_SIZE,
        )
    except NotFound:
        error = p.get("area", "")
    rows, page = listing.rows, listing.page
    context = {
        "cams": rows,
        "total": listing.total,
        "page": page,
        "pages": listing.pages,
        "listing": listing,
        "status": statuses(session, [c.id for c in rows]),
        "q": p,
        "areas": area_choices(session, actor),
        "states": list(HealthState),
        "vendors": vendors(session, actor),
        "tags": tags(session, actor),
        "selectable": actor.can_edit_registry,
        "back": urlencode({k: p[k] for k in FILTERS if p.get(k)} | {"page": page}),
        "msg": p.get("msg", ""),
        "count": p.get("n", ""),
        "error": error,
    }
    return render(request, "pages/cameras.html", context, actor=actor)


@router.post("/cameras/bulk", response_model=None)
def cameras_bulk(
    session: SessionDep,
    action: Annotated[str, Form()],
    codes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI reads the default, never mutates)
    until: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
    actor: Actor = page_roles(*EDITORS),
) -> RedirectResponse:
    """Enable, disable or schedule maintenance for the selected cameras, then back to the list."""
    query = back.lstrip("?")
    try:
        if not codes:
            raise InvalidData("none")
        if action in ("enable", "disable"):
            done = bulk.set_enabled(session, actor, codes, action == "enable")
        elif action == "maintenance":
            if not until:
                raise InvalidData("until")
            done = bulk.maintenance_until(session, actor, codes, _local_time(until), reason)
        else:
            raise InvalidData("action")
    except (InvalidData, NotFound, ValidationError) as exc:
        session.rollback()
        msg = "bulk.none" if str(exc) == "none" else "bulk.need_end"
        return RedirectResponse(f"/cameras?{query}&msg={msg}", status_code=303)
    session.commit()
    return RedirectResponse(f"/cameras?{query}&msg=bulk.done&n={done}", status_code=303)


@router.get("/cameras/import")
def import_page(request: Request, actor: Actor = page_roles(*EDITORS)) -> HTMLResponse:
    """The camera import form."""
    return render(request, "pages/import.html", {"problems": [], "summary": None}, actor=actor)


@router.post("/cameras/import")
async def import_submit(
    request: Request,
    session: SessionDep,
    rules: RulesDep,
    file: UploadFile,
    actor: Actor = page_roles(*EDITORS),
) -> HTMLResponse:
    """Import all-or-nothing; show the summary, or every problem with row, column and reason."""
    lang = request_lang(request, actor)
    problems: list[RowProblem] = []
    summary: ImportSummary | None = None
    data = await file.read(MAX_IMPORT_BYTES + 1)
    try:
        format_of(file.filename or "")
        if len(data) > MAX_IMPORT_BYTES:
            raise InvalidData("file larger than 50 MB")
        summary = import_cameras(session, actor, read_table(data, file.filename or ""), rules)
    except ImportRejected as exc:
        session.rollback()
        problems = exc.problems
    except (ValueError, InvalidData) as exc:
        session.rollback()
        problems = [RowProblem(0, "", str(exc))]
    if summary is not None:
        session.commit()
    shown = [
        {"row": p.row or "", "column": p.column, "reason": problem_text(p.reason, lang)}
        for p in problems
    ]
    return render(
        request,
        "pages/import.html",
        {"problems": shown, "summary": summary, "filename": file.filename or ""},
        actor=actor,
        status_code=422 if problems else 200,
    )


def _back_to_camera(code: str, msg: str) -> RedirectResponse:
    return RedirectResponse(f"/cameras/{code}?msg={msg}#manage", status_code=303)


@router.post("/cameras/{code}/maintenance", response_model=None)
def maintenance_submit(
    code: str,
    session: SessionDep,
    starts_at: Annotated[str, Form(max_length=40)],
    ends_at: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=400)] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Add a maintenance window from the camera page (times typed in Vietnam time)."""
    try:
        window = MaintenanceCreate(
            starts_at=_local_time(starts_at), ends_at=_local_time(ends_at), reason=reason
        )
        add_maintenance(session, actor, code, window)
    except (InvalidData, ValidationError):
        session.rollback()
        return _back_to_camera(code, "bad_window")
    session.commit()
    return _back_to_camera(code, "window_added")


@router.post("/cameras/{code}/reference", response_model=None)
async def reference_upload(
    code: str,
    session: SessionDep,
    file: UploadFile,
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Set the reference view from an uploaded picture (after a deliberate re-aim)."""
    camera = get_camera(session, actor, code)
    data = await file.read(MAX_IMAGE_BYTES + 1)
    try:
        if len(data) > MAX_IMAGE_BYTES:
            raise ValueError("too large")
        image = pictures.decode_image(data)
    except ValueError:
        return _back_to_camera(code, "bad_image")
    pictures.set_reference(session, camera.id, image, actor.username)
    audit.record(session, actor, "reference_set", "camera", code)
    session.commit()
    return _back_to_camera(code, "reference_set")


@router.post("/cameras/{code}/reference/current", response_model=None)
def reference_from_current(
    code: str, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> Response:
    """Use the camera's latest picture as its reference view (after a re-aim)."""
    camera = get_camera(session, actor, code)
    status = session.get(CameraStatus, camera.id)
    latest = _latest_picture(status)
    if latest is None:
        return _back_to_camera(code, "no_current")
    try:
        image = pictures.decode_image(latest)
    except ValueError:
        return _back_to_camera(code, "no_current")
    pictures.set_reference(session, camera.id, image, actor.username)
    audit.record(session, actor, "reference_set", "camera", code, {"source": [None, "current"]})
    session.commit()
    return _back_to_camera(code, "reference_set")


def _latest_picture(status: CameraStatus | None) -> bytes | None:
    # The newer of the two stored thumbnails (the grab itself is not kept).
    if status is None:
        return None
    candidates = [
        (status.last_good_at, status.last_good_jpeg),
        (status.last_fault_at, status.last_fault_jpeg),
    ]
    dated = [(at, data) for at, data in candidates if data and at is not None]
    if not dated:
        return status.last_good_jpeg or status.last_fault_jpeg
    return max(dated, key=lambda pair: pair[0])[1]
