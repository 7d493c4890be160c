"""Pages of the movement-models registry: list, detail with reviews, edit, import and report.

Police read (list, detail, report); admins and technicians also create, edit, review and import;
repair crews get the 403 page (see docs/permissions.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import EDITORS, SessionDep
from api.web.auth import page_roles
from api.web.templating import add_nav_item, render, request_lang
from monitor.core.access import Actor
from monitor.core.errors import Conflict, ImportRejected, InvalidData, NotFound
from monitor.core.localtime import display_zone
from monitor.core.models import (
    Area,
    AreaLevel,
    ModelStatus,
    ReviewDecision,
    ReviewKind,
    ReviewRating,
    Role,
    UnitKind,
)
from monitor.movement import instances, reviews, types
from monitor.movement.importer import import_instances
from monitor.movement.labels import label
from monitor.movement.report import build_report
from monitor.movement.schemas import InstanceCreate, InstanceUpdate, ReviewCreate, TypeCreate
from monitor.registry.sheets import format_of, read_table

router = APIRouter(tags=["web"], include_in_schema=False)

READERS = (Role.ADMIN, Role.TECHNICIAN, Role.POLICE)
PAGE_SIZE = 50

add_nav_item("/movement", "nav.movement", frozenset(READERS))


def _choices() -> dict[str, object]:
    return {
        "statuses": list(ModelStatus),
        "unit_kinds": list(UnitKind),
        "ratings": list(ReviewRating),
        "decisions": list(ReviewDecision),
        "review_kinds": list(ReviewKind),
        "label": label,
    }


def _districts(session: Session) -> list[Area]:
    return list(
        session.scalars(select(Area).where(Area.level == AreaLevel.DISTRICT).order_by(Area.name))
    )


def _can_edit(actor: Actor) -> bool:
    return actor.role in EDITORS


@router.get("/movement")
def list_page(
    request: Request,
    session: SessionDep,
    area: str = "",
    type: str = "",
    status: str = "",
    q: str = "",
    page: int = 1,
    actor: Actor = page_roles(*READERS),
) -> HTMLResponse:
    """Instances with filters by district, type, status and text, in pages."""
    page = max(1, page)
    chosen = ModelStatus(status) if status in {s.value for s in ModelStatus} else None
    rows, total = instances.list_instances(
        session,
        actor,
        area_code=area or None,
        type_code=type or None,
        status=chosen,
        q=q or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "types": types.list_types(session, actor),
        "districts": _districts(session),
        "q": {"area": area, "type": type, "status": status, "q": q},
        "can_edit": _can_edit(actor),
        "completeness": instances.dossier_completeness,
        **_choices(),
    }
    return render(request, "movement/list.html", context, actor=actor)


@router.get("/movement/report")
def report_page(
    request: Request,
    session: SessionDep,
    area: str = "",
    year: int | None = None,
    overdue_months: int = 12,
    health_days: int = 30,
    actor: Actor = page_roles(*READERS),
) -> HTMLResponse:
    """The district/province report with links to its XLSX and PDF."""
    report = build_report(
        session,
        actor,
        area_code=area or None,
        year=year,
        overdue_months=max(1, min(overdue_months, 120)),
        health_days=max(1, min(health_days, 366)),
        lang=request_lang(request, actor),
    )
    query = {
        "area": area,
        "year": report.year,
        "overdue_months": report.overdue_months,
        "health_days": health_days,
    }
    export_query = urlencode({k: v for k, v in query.items() if v not in ("", None)})
    context = {
        "report": report,
        "districts": _districts(session),
        "area": area,
        "export_query": export_query,
        "statuses": list(ModelStatus),
        "label": label,
    }
    return render(request, "movement/report.html", context, actor=actor)


@router.get("/movement/types")
def types_page(
    request: Request, session: SessionDep, actor: Actor = page_roles(*READERS)
) -> HTMLResponse:
    """The model types with their dossier templates; admins also get the form to add one."""
    context = {
        "types": types.list_types(session, actor),
        "error": "",
        "can_add": actor.role == Role.ADMIN,
    }
    return render(request, "movement/types.html", context, actor=actor)


@router.post("/movement/types", response_model=None)
def types_submit(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form(max_length=64)],
    name_vi: Annotated[str, Form(max_length=400)],
    name_en: Annotated[str, Form(max_length=400)] = "",
    dossier_template: Annotated[str, Form(max_length=10000)] = "",
    links_cameras: Annotated[str, Form()] = "",
    actor: Actor = page_roles(Role.ADMIN),
) -> Response:
    """Add a type (admins; audited); the checklist is one document per line."""
    try:
        items = [line.strip() for line in dossier_template.splitlines() if line.strip()]
        types.create_type(
            session,
            actor,
            TypeCreate(
                code=code,
                name_vi=name_vi,
                name_en=name_en,
                dossier_template=items,
                links_cameras=bool(links_cameras),
            ),
        )
    except (ValidationError, Conflict) as exc:
        session.rollback()
        context = {"types": types.list_types(session, actor), "error": str(exc), "can_add": True}
        return render(request, "movement/types.html", context, actor=actor, status_code=422)
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse("/movement/types", status_code=303)


@router.get("/movement/import")
def import_page(request: Request, actor: Actor = page_roles(*EDITORS)) -> HTMLResponse:
    """The upload form for a CSV/XLSX file of instances."""
    return render(request, "movement/import.html", {"problems": [], "summary": None}, actor=actor)


@router.post("/movement/import")
def import_submit(
    request: Request, file: UploadFile, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> HTMLResponse:
    """Import the file all-or-nothing; show what was done or every problem with row and column."""
    try:
        format_of(file.filename or "")
        # Sync route (worker thread); the request guard capped the body at max_upload_bytes.
        summary = import_instances(
            session, actor, read_table(file.file.read(), file.filename or "")
        )
    except ImportRejected as exc:
        session.rollback()
        return render(
            request,
            "movement/import.html",
            {"problems": exc.problems, "summary": None},
            actor=actor,
            status_code=422,
        )
    except (ValueError, InvalidData) as exc:
        session.rollback()
        return render(
            request,
            "movement/import.html",
            {"problems": [], "summary": None, "error": str(exc)},
            actor=actor,
            status_code=422,
        )
    session.commit()  # the request session commits only after the page is sent
    return render(
        request, "movement/import.html", {"problems": [], "summary": summary}, actor=actor
    )


@router.get("/movement/new")
def new_page(
    request: Request, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> HTMLResponse:
    """The form for a new instance."""
    return render(request, "movement/new.html", _new_context(session, actor, {}, ""), actor=actor)


def _new_context(session: Session, actor: Actor, form: dict[str, str], error: str) -> dict:
    areas = list(session.scalars(select(Area).order_by(Area.path)))
    return {
        "types": types.list_types(session, actor),
        "areas": areas,
        "form": form,
        "error": error,
        **_choices(),
    }


@router.post("/movement/new", response_model=None)
def new_submit(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form(max_length=64)],
    type_code: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=400)],
    unit_name: Annotated[str, Form(max_length=300)],
    area_code: Annotated[str, Form(max_length=64)],
    unit_kind: Annotated[str, Form()] = "village",
    started_on: Annotated[str, Form()] = "",
    responsible_person: Annotated[str, Form(max_length=200)] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Create the instance (audited) and open its page, or show the form with the problem."""
    form = {
        "code": code,
        "type_code": type_code,
        "name": name,
        "unit_name": unit_name,
        "area_code": area_code,
        "unit_kind": unit_kind,
        "started_on": started_on,
        "responsible_person": responsible_person,
    }
    try:
        data = InstanceCreate(
            code=code,
            type_code=type_code,
            name=name,
            unit_name=unit_name,
            area_code=area_code,
            unit_kind=UnitKind(unit_kind),
            responsible_person=responsible_person,
            started_on=date.fromisoformat(started_on) if started_on else None,
        )
        instances.create_instance(session, actor, data)
    except (ValueError, ValidationError, InvalidData, NotFound) as exc:
        session.rollback()
        return render(
            request,
            "movement/new.html",
            _new_context(session, actor, form, str(exc)),
            actor=actor,
            status_code=422,
        )
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/movement/{code}", status_code=303)


@router.get("/movement/{code}")
def detail_page(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*READERS)
) -> HTMLResponse:
    """An instance: its data, dossier, figures, cameras, and reviews with measured camera health."""
    row = instances.get_instance(session, actor, code)
    context = {
        "row": row,
        "reviews": reviews.list_reviews(session, actor, code),
        "completeness": instances.dossier_completeness(row),
        "last_review": instances.last_reviewed_on(row),
        "can_edit": _can_edit(actor),
        "error": request.query_params.get("error", ""),
        "today": datetime.now(display_zone()).date().isoformat(),
        **_choices(),
    }
    return render(request, "movement/detail.html", context, actor=actor)


@router.post("/movement/{code}/reviews", response_model=None)
def review_submit(
    code: str,
    request: Request,
    session: SessionDep,
    reviewed_on: Annotated[str, Form()],
    period_start: Annotated[str, Form()],
    period_end: Annotated[str, Form()],
    rating: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    reviewer: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form()] = "interim",
    findings: Annotated[str, Form(max_length=20000)] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Record a review (its decision sets the status) and go back to the instance page."""
    try:
        data = ReviewCreate(
            kind=ReviewKind(kind),
            reviewed_on=date.fromisoformat(reviewed_on),
            period_start=date.fromisoformat(period_start),
            period_end=date.fromisoformat(period_end),
            rating=ReviewRating(rating),
            decision=ReviewDecision(decision),
            reviewer=reviewer,
            findings=findings,
        )
        reviews.add_review(session, actor, code, data)
    except (ValueError, ValidationError, InvalidData) as exc:
        session.rollback()
        return RedirectResponse(
            f"/movement/{code}?{urlencode({'error': str(exc)[:300]})}", status_code=303
        )
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/movement/{code}", status_code=303)


@router.get("/movement/{code}/edit")
def edit_page(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> HTMLResponse:
    """The form for an instance's people, status, dossier checklist and linked cameras."""
    row = instances.get_instance(session, actor, code)
    return render(
        request, "movement/edit.html", {"row": row, "error": "", **_choices()}, actor=actor
    )


@router.post("/movement/{code}/edit", response_model=None)
async def edit_submit(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> Response:
    """Save the changes through the registry (audited), or show the form with the problem."""
    form = await request.form()
    try:
        data = InstanceUpdate(
            name=str(form.get("name", "")),
            unit_name=str(form.get("unit_name", "")),
            responsible_person=str(form.get("responsible_person", "")),
            responsible_phone=str(form.get("responsible_phone", "")),
            status=ModelStatus(str(form.get("status", ""))),
            dossier_done=[str(v) for v in form.getlist("dossier")],
            camera_codes=[
                c.strip()
                for c in str(form.get("camera_codes", "")).replace(";", ",").split(",")
                if c.strip()
            ],
            notes=str(form.get("notes", "")),
        )
        instances.update_instance(session, actor, code, data)
    except (ValueError, ValidationError, InvalidData) as exc:
        session.rollback()
        row = instances.get_instance(session, actor, code)
        return render(
            request,
            "movement/edit.html",
            {"row": row, "error": str(exc), **_choices()},
            actor=actor,
            status_code=422,
        )
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/movement/{code}", status_code=303)
