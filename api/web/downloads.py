"""Files and data the pages load (exports, pictures, the map's coverage answer), under page paths.

`/api/v1` takes bearer tokens only (docs/security.md), so a page cannot link to it: each target
here calls the same domain code as the API route, with the page's user and the session cookie.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import SessionDep
from api.files import attachment
from api.report_query import MovementReportParams
from api.web.auth import PageActor, page_roles
from monitor.core.access import Actor
from monitor.core.i18n import normalize_lang
from monitor.core.models import Role
from monitor.monitoring.pictures import stored_reference, stored_thumbnail
from monitor.movement.export import report_file
from monitor.registry.cameras import get_camera
from monitor.reports.availability import availability_report, parse_period
from monitor.reports.common import parse_time
from monitor.reports.coverage import COVERAGE_ROLES, look_up_place
from monitor.reports.exports import export_availability, export_outages
from monitor.reports.outages import OutageFilter
from monitor.reports.schemas import CoveragePublic

router = APIRouter(tags=["web"], include_in_schema=False)

Readers = Annotated[Actor, page_roles(Role.ADMIN, Role.TECHNICIAN, Role.POLICE)]
CoverageReaders = Annotated[Actor, page_roles(*COVERAGE_ROLES)]
PRIVATE_CACHE = {"Cache-Control": "private, max-age=60"}


@router.get("/outages/export")
def outages_export(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    format: Annotated[str, Query(pattern="^(csv|xlsx|pdf)$")] = "csv",
    lang: str = "vi",
    sort: str = "start",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> Response:
    """The outage page's list as a file, with the page's filters."""
    flt = OutageFilter.from_query(request.query_params)
    lang = normalize_lang(lang)
    export = export_outages(
        session, actor, flt, format, lang=lang, sort=sort, descending=order == "desc"
    )
    return attachment(export)


@router.get("/reports/availability/export")
def availability_export(
    session: SessionDep,
    actor: Readers,
    period: str,
    area: str | None = None,
    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx",
    lang: str = "vi",
) -> Response:
    """The report page's availability report as a file."""
    report = availability_report(session, actor, parse_period(period), area=area or None)
    return attachment(export_availability(session, report, format, lang=normalize_lang(lang)))


@router.get("/movement/report/export")
def movement_report_export(
    session: SessionDep,
    actor: Readers,
    query: MovementReportParams,
    format: Literal["xlsx", "pdf"] = "xlsx",
) -> Response:
    """The movement report page as a file."""
    return attachment(report_file(query.build(session, actor), format, query.lang))


@router.get("/cameras/{code}/thumbnails/{which}.jpg", response_class=Response)
def thumbnail(
    code: str, which: Literal["last_good", "last_fault"], session: SessionDep, actor: PageActor
) -> Response:
    """A camera's last good or last faulty picture, for its page and its tickets."""
    data = stored_thumbnail(session, get_camera(session, actor, code), which)
    return Response(data, media_type="image/jpeg", headers=PRIVATE_CACHE)


@router.get("/cameras/{code}/reference.png", response_class=Response)
def reference(code: str, session: SessionDep, actor: PageActor) -> Response:
    """The camera's reference view, beside its pictures."""
    view = stored_reference(session, get_camera(session, actor, code))
    return Response(view.image_png, media_type="image/png", headers=PRIVATE_CACHE)


@router.get("/coverage.json")
def coverage_json(
    session: SessionDep,
    actor: CoverageReaders,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    start: str,
    end: str | None = None,
    radius_m: Annotated[float, Query(gt=0, le=20000)] = 300,
) -> CoveragePublic:
    """The map's click-a-place coverage answer (the same look-up as /api/v1/coverage)."""
    answer = look_up_place(
        session,
        actor,
        lat=lat,
        lon=lon,
        camera=None,
        radius_m=radius_m,
        start=parse_time(start, field="start"),
        end=parse_time(end, field="end"),
    )
    return CoveragePublic.of(answer)
