"""The availability report page: tables, a chart, and export links."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from api.deps import SessionDep
from api.web.auth import page_roles
from api.web.outages import area_options
from api.web.templating import render, request_lang
from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.localtime import to_local
from monitor.core.models import AreaLevel
from monitor.reports.availability import REPORT_ROLES, availability_report, parse_period
from monitor.reports.exports import availability_chart, availability_tables

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/reports")
def reports_page(
    request: Request, session: SessionDep, actor: Actor = page_roles(*REPORT_ROLES)
) -> HTMLResponse:
    """Availability for a month or quarter (this month by default)."""
    lang = request_lang(request, actor)
    this_month = to_local(datetime.now(UTC)).strftime("%Y-%m")
    period_text = request.query_params.get("period") or this_month
    cluster = request.query_params.get("cluster") or None
    commune = request.query_params.get("commune") or None
    area = commune or cluster or request.query_params.get("area") or None
    error = ""
    tables: list = []
    chart = ""
    try:
        report = availability_report(session, actor, parse_period(period_text), area=area)
        tables = availability_tables(report, lang)
        chart = availability_chart(report, lang)
    except InvalidData as exc:
        error = str(exc)
    query = urlencode({k: v for k, v in {"period": period_text, "area": area}.items() if v})
    return render(
        request,
        "reports.html",
        {
            "tables": tables,
            "chart": Markup(chart),
            "error": error,
            "period": period_text,
            "cluster": cluster or "",
            "commune": commune or "",
            "clusters": area_options(session, actor, AreaLevel.CLUSTER),
            "communes": area_options(session, actor, AreaLevel.COMMUNE),
            "export_query": query,
        },
        actor=actor,
        status_code=422 if error else 200,
    )
