"""Availability reports per camera, village, commune, cluster and crew (JSON API and exports)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import SessionDep, require_roles
from monitor.core.access import Actor
from monitor.core.i18n import normalize_lang
from monitor.reports.availability import REPORT_ROLES, availability_report, parse_period
from monitor.reports.exports import export_availability

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

ReportActor = Annotated[Actor, require_roles(*REPORT_ROLES)]
PeriodQuery = Annotated[str, Query(description="YYYY-MM (a month) or YYYY-Qn (a quarter)")]


AreaQuery = Annotated[
    str | None, Query(description="a cluster, commune or village code; none: the whole province")
]


def _with_availability(item: Any) -> dict[str, Any]:
    return asdict(item) | {"availability": item.availability}


@router.get("/availability")
def availability(
    session: SessionDep, actor: ReportActor, period: PeriodQuery, area: AreaQuery = None
) -> dict[str, Any]:
    """Availability %, outages and repair times for the period (optionally one area)."""
    report = availability_report(session, actor, parse_period(period), area=area or None)
    return {
        "period": asdict(report.period),
        "area": report.area,
        "clusters": [_with_availability(a) for a in report.clusters],
        "communes": [_with_availability(a) for a in report.communes],
        "villages": [_with_availability(a) for a in report.villages],
        "cameras": [_with_availability(c) for c in report.cameras],
        "worst": [_with_availability(c) for c in report.worst],
        "crews": [asdict(c) for c in report.crews],
    }


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
    disposition = f'attachment; filename="{result.filename}"'
    return Response(
        result.data, media_type=result.media_type, headers={"Content-Disposition": disposition}
    )
