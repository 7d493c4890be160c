"""The coverage look-up page: a place and a time, the cameras around it and how they fared."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web.auth import page_roles
from api.web.forms import FormErrors
from api.web.templating import render, request_lang
from monitor.core.access import Actor
from monitor.core.errors import InvalidData, NotFound
from monitor.reports.common import parse_time
from monitor.reports.coverage import (
    COVERAGE_ROLES,
    MAX_RADIUS_M,
    CoverageAnswer,
    look_up_place,
)

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/coverage")
def coverage_page(
    request: Request, session: SessionDep, actor: Actor = page_roles(*COVERAGE_ROLES)
) -> HTMLResponse:
    """The look-up form, and the answer once a place and a time are given."""
    q = request.query_params
    answer: CoverageAnswer | None = None
    errors = FormErrors(request_lang(request, actor))
    asked = any(q.get(name) for name in ("lat", "lon", "camera", "start", "end"))
    if asked:
        camera = (q.get("camera") or "").strip()
        lat = errors.number("lat", q.get("lat", ""), low=-90, high=90, required=not camera)
        lon = errors.number("lon", q.get("lon", ""), low=-180, high=180, required=not camera)
        radius = errors.number("radius_m", q.get("radius_m", ""), low=1, high=MAX_RADIUS_M)
        start = errors.moment("start", q.get("start", ""), required=True)
        end = errors.moment("end", q.get("end", ""))
        if start is not None and end is not None and end < start:
            errors.add("end", "form.period_order")
        if not errors:
            try:
                answer = look_up_place(
                    session,
                    actor,
                    lat=lat,
                    lon=lon,
                    camera=camera or None,
                    radius_m=radius or 300.0,
                    start=parse_time(q.get("start"), field="start"),
                    end=parse_time(q.get("end"), field="end"),
                )
            except NotFound:
                errors.add("camera", "form.unknown_camera", codes=camera)
            except InvalidData as exc:
                errors.fields[""] = str(exc)
    return render(
        request,
        "coverage.html",
        {"answer": answer, "errors": errors, "q": q},
        actor=actor,
        status_code=422 if errors else 200,
    )
