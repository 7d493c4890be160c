"""The coverage look-up page: a place and a time, the cameras around it and how they fared."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web.auth import page_roles
from api.web.forms import parse_decimal
from api.web.templating import render
from monitor.core.access import Actor
from monitor.core.errors import InvalidData, NotFound
from monitor.reports.common import parse_time
from monitor.reports.coverage import COVERAGE_ROLES, CoverageAnswer, look_up_place

router = APIRouter(tags=["web"], include_in_schema=False)


def _float(text: str | None, field: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_decimal(text)
    except ValueError as exc:
        raise InvalidData(f"{field}: not a number") from exc


@router.get("/coverage")
def coverage_page(
    request: Request, session: SessionDep, actor: Actor = page_roles(*COVERAGE_ROLES)
) -> HTMLResponse:
    """The look-up form, and the answer once a place and a time are given."""
    q = request.query_params
    answer: CoverageAnswer | None = None
    error = ""
    asked = (q.get("lat") or q.get("camera")) and q.get("start")
    if asked:
        try:
            answer = look_up_place(
                session,
                actor,
                lat=_float(q.get("lat"), "lat"),
                lon=_float(q.get("lon"), "lon"),
                camera=q.get("camera") or None,
                radius_m=_float(q.get("radius_m"), "radius_m") or 300.0,
                start=parse_time(q.get("start"), field="start"),
                end=parse_time(q.get("end"), field="end"),
            )
        except (InvalidData, NotFound) as exc:
            error = str(exc)
    return render(
        request,
        "coverage.html",
        {"answer": answer, "error": error, "q": q},
        actor=actor,
        status_code=422 if error else 200,
    )
