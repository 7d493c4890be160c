"""Pages of the movement-models registry: list, detail with reviews, edit, import and report.

Police read (list, detail, report); admins and technicians also create, edit, review and import;
repair crews get the 403 page (see docs/permissions.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import EDITORS, SessionDep
from api.web.auth import page_roles
from api.web.forms import FormErrors
from api.web.paging import fetch_page, requested_page
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


def _area_choices(session: Session) -> list[Area]:
    # Clusters first, then communes: the committee reviews a cluster or one commune.
    stmt = select(Area).where(
        Area.level.in_((AreaLevel.CLUSTER, AreaLevel.COMMUNE)), Area.superseded_by_id.is_(None)
    )
    return sorted(session.scalars(stmt), key=lambda a: (a.level != AreaLevel.CLUSTER, a.name))


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
    actor: Actor = page_roles(*READERS),
) -> HTMLResponse:
    """Instances with filters by area, type, status and text, in pages."""
    chosen = ModelStatus(status) if status in {s.value for s in ModelStatus} else None
    listing = fetch_page(
        lambda limit, offset: instances.list_instances(
            session,
            actor,
            area_code=area or None,
            type_code=type or None,
            status=chosen,
            q=q or None,
            limit=limit,
            offset=offset,
        ),
        requested_page(request),
        PAGE_SIZE,
    )
    context = {
        "rows": listing.rows,
        "total": listing.total,
        "listing": listing,
        "types": types.list_types(session, actor),
        "area_choices": _area_choices(session),
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
    """The cluster/commune/province report with links to its XLSX and PDF."""
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
        "area_choices": _area_choices(session),
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
    context: dict[str, Any] = {
        "types": types.list_types(session, actor),
        "errors": None,
        "form": {},
        "can_add": actor.role == Role.ADMIN,
    }
    return render(request, "movement/types.html", context, actor=actor)


@router.post("/movement/types", response_model=None)
def types_submit(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form()] = "",
    name_vi: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
    dossier_template: Annotated[str, Form(max_length=10000)] = "",
    links_cameras: Annotated[str, Form()] = "",
    actor: Actor = page_roles(Role.ADMIN),
) -> Response:
    """Add a type (admins; audited); the checklist is one document per line."""
    form = {
        "code": code,
        "name_vi": name_vi,
        "name_en": name_en,
        "dossier_template": dossier_template,
        "links_cameras": bool(links_cameras),
    }
    errors = FormErrors(request_lang(request, actor))
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
    except ValidationError as exc:
        errors.from_validation(exc, patterns={"code": "form.code_pattern"})
    except Conflict:
        errors.add("code", "form.duplicate")
    if errors:
        session.rollback()
        context = {
            "types": types.list_types(session, actor),
            "errors": errors,
            "form": form,
            "can_add": True,
        }
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
    return render(request, "movement/new.html", _new_context(session, actor, {}, None), actor=actor)


def _new_context(
    session: Session, actor: Actor, form: dict[str, str], errors: FormErrors | None
) -> dict:
    areas = list(session.scalars(select(Area).order_by(Area.path)))
    return {
        "types": types.list_types(session, actor),
        "areas": areas,
        "form": form,
        "errors": errors,
        **_choices(),
    }


@router.post("/movement/new", response_model=None)
def new_submit(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form()] = "",
    type_code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    unit_name: Annotated[str, Form()] = "",
    area_code: Annotated[str, Form()] = "",
    unit_kind: Annotated[str, Form()] = "village",
    started_on: Annotated[str, Form()] = "",
    responsible_person: Annotated[str, Form()] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Create the instance (audited) and open its page, or show the form with its problems."""
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
    errors = FormErrors(request_lang(request, actor))
    started = errors.day("started_on", started_on, required=False)
    if not errors:
        try:
            data = InstanceCreate(
                code=code,
                type_code=type_code,
                name=name,
                unit_name=unit_name,
                area_code=area_code,
                unit_kind=unit_kind,  # type: ignore[arg-type]
                responsible_person=responsible_person,
                started_on=started,
            )
            instances.create_instance(session, actor, data)
        except ValidationError as exc:
            errors.from_validation(exc, patterns={"code": "form.code_pattern"})
        except Conflict:
            errors.add("code", "form.duplicate")
        except (InvalidData, NotFound) as exc:
            errors.fields[""] = str(exc)
    if errors:
        session.rollback()
        context = _new_context(session, actor, form, errors)
        return render(request, "movement/new.html", context, actor=actor, status_code=422)
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/movement/{code}", status_code=303)


def _detail_context(
    request: Request,
    session: Session,
    actor: Actor,
    code: str,
    errors: FormErrors | None = None,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    row = instances.get_instance(session, actor, code)
    return {
        "row": row,
        "reviews": reviews.list_reviews(session, actor, code),
        "completeness": instances.dossier_completeness(row),
        "last_review": instances.last_reviewed_on(row),
        "can_edit": _can_edit(actor),
        "errors": errors,
        "form": form or {"reviewed_on": datetime.now(display_zone()).date().isoformat()},
        **_choices(),
    }


@router.get("/movement/{code}")
def detail_page(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*READERS)
) -> HTMLResponse:
    """An instance: its data, dossier, figures, cameras, and reviews with measured camera health."""
    context = _detail_context(request, session, actor, code)
    return render(request, "movement/detail.html", context, actor=actor)


REVIEW_MESSAGES = {
    "period must end": ("period_end", "form.period_order"),
    "before its period starts": ("reviewed_on", "form.review_before_period"),
}


@router.post("/movement/{code}/reviews", response_model=None)
def review_submit(
    code: str,
    request: Request,
    session: SessionDep,
    reviewed_on: Annotated[str, Form()] = "",
    period_start: Annotated[str, Form()] = "",
    period_end: Annotated[str, Form()] = "",
    rating: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    reviewer: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "interim",
    findings: Annotated[str, Form(max_length=20000)] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Record a review (its decision sets the status), or show the form with its problems."""
    form = {
        "reviewed_on": reviewed_on,
        "period_start": period_start,
        "period_end": period_end,
        "rating": rating,
        "decision": decision,
        "reviewer": reviewer,
        "kind": kind,
        "findings": findings,
    }
    errors = FormErrors(request_lang(request, actor))
    days = {
        name: errors.day(name, form[name]) for name in ("reviewed_on", "period_start", "period_end")
    }
    if not errors:
        try:
            data = ReviewCreate(
                kind=kind,  # type: ignore[arg-type]
                reviewed_on=days["reviewed_on"],  # type: ignore[arg-type]
                period_start=days["period_start"],  # type: ignore[arg-type]
                period_end=days["period_end"],  # type: ignore[arg-type]
                rating=rating,  # type: ignore[arg-type]
                decision=decision,  # type: ignore[arg-type]
                reviewer=reviewer,
                findings=findings,
            )
            reviews.add_review(session, actor, code, data)
        except ValidationError as exc:
            errors.from_validation(exc, messages=REVIEW_MESSAGES)
    if errors:
        session.rollback()
        context = _detail_context(request, session, actor, code, errors, form)
        return render(request, "movement/detail.html", context, actor=actor, status_code=422)
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/movement/{code}", status_code=303)


def _edit_form_of(row: Any) -> dict[str, Any]:
    return {
        "name": row.name,
        "unit_name": row.unit_name,
        "responsible_person": row.responsible_person,
        "responsible_phone": row.responsible_phone,
        "status": row.status.value,
        "dossier_done": [d["item"] for d in row.dossier if d.get("done")],
        "camera_codes": ", ".join(c.code for c in row.cameras),
        "notes": row.notes,
    }


@router.get("/movement/{code}/edit")
def edit_page(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> HTMLResponse:
    """The form for an instance's people, status, dossier checklist and linked cameras."""
    row = instances.get_instance(session, actor, code)
    context = {"row": row, "form": _edit_form_of(row), "errors": None, **_choices()}
    return render(request, "movement/edit.html", context, actor=actor)


@router.post("/movement/{code}/edit", response_model=None)
async def edit_submit(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> Response:
    """Save the changes (audited), or show the form as typed with its problems."""
    submitted = await request.form()
    form: dict[str, Any] = {
        name: str(submitted.get(name, ""))
        for name in (
            "name",
            "unit_name",
            "responsible_person",
            "responsible_phone",
            "status",
            "camera_codes",
            "notes",
        )
    }
    form["dossier_done"] = [str(v) for v in submitted.getlist("dossier")]
    errors = FormErrors(request_lang(request, actor))
    codes = [c.strip() for c in form["camera_codes"].replace(";", ",").split(",") if c.strip()]
    try:
        data = InstanceUpdate(
            name=form["name"],
            unit_name=form["unit_name"],
            responsible_person=form["responsible_person"],
            responsible_phone=form["responsible_phone"],
            status=form["status"],
            dossier_done=form["dossier_done"],
            camera_codes=codes,
            notes=form["notes"],
        )
        instances.update_instance(session, actor, code, data)
    except ValidationError as exc:
        errors.from_validation(exc, patterns={"responsible_phone": "form.phone"})
    except InvalidData as exc:
        if "camera code" in str(exc):
            unknown = str(exc).split(":", 1)[-1].strip()
            errors.add("camera_codes", "form.unknown_camera", codes=unknown)
        else:
            errors.fields[""] = str(exc)
    if errors:
        session.rollback()
        row = instances.get_instance(session, actor, code)
        context = {"row": row, "form": form, "errors": errors, **_choices()}
        return render(request, "movement/edit.html", context, actor=actor, status_code=422)
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/movement/{code}", status_code=303)
