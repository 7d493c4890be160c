"""The camera page (state, history, incidents, tickets, thumbnails, chart) and its thumbnails."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.deps import SessionDep
from api.web.auth import PageActor
from api.web.templating import render, request_lang
from monitor.core.errors import NotFound
from monitor.core.i18n import t
from monitor.core.models import CameraStatus, HourlyRollup, Incident, IncidentKind, StateChange
from monitor.outages import tickets
from monitor.registry.cameras import get_camera
from monitor.reports.charts import line_chart
from monitor.reports.common import as_utc

router = APIRouter(tags=["web"], include_in_schema=False)
HISTORY = 50
CHART_HOURS = 7 * 24


@router.get("/cameras/{code}")
def camera_page(code: str, request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """Everything known about one camera, except its password."""
    try:
        camera = get_camera(session, actor, code)
    except NotFound as exc:
        return render(
            request,
            "error.html",
            {"title_key": "error.not_found.title", "text_key": "", "detail": str(exc)},
            actor=actor,
            status_code=404,
        )
    status = session.get(CameraStatus, camera.id)
    changes = session.scalars(
        select(StateChange)
        .where(StateChange.camera_id == camera.id)
        .order_by(StateChange.at.desc())
        .limit(HISTORY)
    ).all()
    incidents = session.scalars(
        select(Incident)
        .where(Incident.camera_id == camera.id, Incident.kind == IncidentKind.CAMERA)
        .order_by(Incident.started_at.desc())
        .limit(HISTORY)
    ).all()
    camera_tickets, _ = tickets.list_tickets(session, actor, camera_code=camera.code, limit=HISTORY)
    rollups = list(
        reversed(
            session.scalars(
                select(HourlyRollup)
                .where(HourlyRollup.camera_id == camera.id)
                .order_by(HourlyRollup.hour.desc())
                .limit(CHART_HOURS)
            ).all()
        )
    )
    chart = (
        line_chart(
            [(as_utc(r.hour), r.availability) for r in rollups],
            title=t("camera.metrics", request_lang(request)),
        )
        if rollups
        else ""
    )
    return render(
        request,
        "camera.html",
        {
            "camera": camera,
            "status": status,
            "changes": changes,
            "incidents": incidents,
            "tickets": camera_tickets,
            "chart": chart,
        },
        actor=actor,
    )
