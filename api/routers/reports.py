"""Availability reports per camera, village, commune, cluster and crew (JSON API and exports)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import SessionDep, require_roles
from api.files import attachment
from monitor.core.access import Actor
from monitor.core.i18n import normalize_lang
from monitor.reports.availability import REPORT_ROLES, availability_report, parse_period
from monitor.reports.exports import export_availability
from monitor.reports.schemas import AvailabilityReportPublic

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

ReportActor = Annotated[Actor, require_roles(*REPORT_ROLES)]
PeriodQuery = Annotated[str, Query(description="YYYY-MM (a month) or YYYY-Qn (a quarter)")]


AreaQuery = Annotated[
    str | None, Query(description="a cluster, commune or village code; none: the whole province")
]


@router.get("/availability")
def availability(
    session: SessionDep, actor: ReportActor, period: PeriodQuery, area: AreaQuery = None
) -> AvailabilityReportPublic:
    """Availability %, outages and repair times for the period (optionally one area)."""
    report = availability_report(session, actor, parse_period(period), area=area or None)
    return AvailabilityReportPublic.of(report)


@router.get("/availability/export")
def availability_export(
    session: SessionDep,
    actor: ReportActor,
    period: PeriodQuery,
    area: AreaQuery = None,
    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx",
    lang: str = "vi",
) -> Response:
    """The availability report as XLSX or PDF."""
    report = availability_report(session, actor, parse_period(period), area=area or None)
    result = export_availability(session, report, format, lang=normalize_lang(lang))
    return attachment(result)
