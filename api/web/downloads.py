"""Files the pages link to (exports, thumbnails), served under page paths with the session cookie.

`/api/v1` takes bearer tokens only (docs/security.md), so a page cannot link to it: each link
target here runs the API route's own code with the page's user.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import SessionDep
from api.routers import movement as movement_api
from api.routers import outages as outages_api
from api.routers import reports as reports_api
from api.web.auth import PageActor, page_roles
from api.web.camera import _thumbnail
from monitor.core.access import Actor
from monitor.core.models import Role

router = APIRouter(tags=["web"], include_in_schema=False)

Readers = Annotated[Actor, page_roles(Role.ADMIN, Role.TECHNICIAN, Role.POLICE)]


@router.get("/outages/export")
def outages_export(
    session: SessionDep,
    actor: PageActor,
    flt: outages_api.FilterDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx|pdf)$")] = "csv",
    lang: str = "vi",
    sort: str = "start",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> Response:
    """The outage page's list as a file."""
    return outages_api.export(session, actor, flt, format, lang, sort, order)


@router.get("/reports/availability/export")
def availability_export(
    session: SessionDep,
    actor: Readers,
    period: reports_api.PeriodQuery,
    district: str | None = None,
    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx",
    lang: str = "vi",
) -> Response:
    """The report page's availability report as a file."""
    return reports_api.availability_export(session, actor, period, district, format, lang)


@router.get("/movement/report/export")
def movement_report_export(
    session: SessionDep,
    actor: Readers,
    format: Literal["xlsx", "pdf"] = "xlsx",
    area: str | None = None,
    year: int | None = Query(default=None, ge=2000, le=2100),
    as_of: date | None = None,
    overdue_months: int = Query(default=12, ge=1, le=120),
    health_days: int = Query(default=30, ge=1, le=366),
    lang: Literal["vi", "en"] = "vi",
) -> Response:
    """The movement report page as a file."""
    return movement_api.export_report(
        session, actor, format, area, year, as_of, overdue_months, health_days, lang
    )


@router.get("/cameras/{code}/thumbnails/{which}.jpg", response_class=Response)
def thumbnail(
    code: str, which: Literal["last_good", "last_fault"], session: SessionDep, actor: PageActor
) -> Response:
    """The camera page's last good or last faulty picture."""
    return _thumbnail(session, actor, code, which)
