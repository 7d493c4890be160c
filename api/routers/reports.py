"""Availability reports per camera, commune, district and crew (JSON API and exports)."""

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


def _with_availability(item: Any) -> dict[str, Any]:
    return asdict(item) | {"availability": item.availability}


@router.get("/availability")
def availability(
    session: SessionDep, actor: ReportActor, period: PeriodQuery, district: str | None = None
) -> dict[str, Any]:
    """Availability %, outages and repair times for the period (optionally one district)."""
    report = availability_report(session, actor, parse_period(period), district=district or None)
    return {
        "period": asdict(report.period),
        "district": report.district,
        "districts": [_with_availability(a) for a in report.districts],
        "communes": [_with_availability(a) for a in report.communes],
        "cameras": [_with_availability(c) for c in report.cameras],
        "worst": [_with_availability(c) for c in report.worst],
        "crews": [asdict(c) for c in report.crews],
    }


@router.get("/availability/export")
def availability_export(
    session: SessionDep,
    actor: ReportActor,
    period: PeriodQuery,
    district: str | None = None,
    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx",
    lang: str = "vi",
) -> Response:
    """The availability report as XLSX or PDF."""
    report = availability_report(session, actor, parse_period(period), district=district or None)
    result = export_availability(session, report, format, lang=normalize_lang(lang))
    disposition = f'attachment; filename="{result.filename}"'
    return Response(
        result.data, media_type=result.media_type, headers={"Content-Disposition": disposition}
    )
