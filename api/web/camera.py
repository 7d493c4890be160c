"""The camera page (state, history, incidents, tickets, thumbnails, chart) and its thumbnails."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.deps import SessionDep
from api.web.auth import PageActor
from api.web.templating import render, request_lang
from monitor.core import i18n
from monitor.core.errors import NotFound
from monitor.core.i18n import t
from monitor.core.localtime import format_local_zoned
from monitor.core.models import (
    CameraStatus,
    HealthState,
    HourlyRollup,
    Incident,
    IncidentKind,
    ReferenceView,
    StateChange,
)
from monitor.outages import tickets
from monitor.registry.cameras import get_camera
from monitor.reports.charts import line_chart
from monitor.reports.common import as_utc

i18n.add_strings(
    {
        "camera.reference": {
            "vi": "Hình tham chiếu (góc nhìn chuẩn để so sánh)",
            "en": "Reference view (what the picture is compared with)",
        },
        "camera.reference_set_by": {"vi": "đặt bởi", "en": "set by"},
        "camera.reference_learned": {
            "vi": "tự học từ {n} hình tốt",
            "en": "learned from {n} good pictures",
        },
        "camera.no_good_yet": {"vi": "Chưa có hình tốt nào", "en": "No good picture yet"},
        "camera.no_fault_yet": {"vi": "Chưa có hình lỗi nào", "en": "No faulty picture yet"},
        "camera.no_reference_yet": {"vi": "Chưa có hình tham chiếu", "en": "No reference view yet"},
        "camera.no_picture_since": {
            "vi": "Không nhận được hình từ {since}",
            "en": "No picture since {since}",
        },
        "camera.no_picture_ever": {
            "vi": "Chưa nhận được hình nào từ camera này",
            "en": "No picture received from this camera yet",
        },
        "camera.chart_not_enough": {
            "vi": "Chưa đủ dữ liệu: biểu đồ cần ít nhất {need} giờ đo trọn vẹn (hiện có {have}).",
            "en": "Not enough data yet: the chart needs at least {need} full hours (now {have}).",
        },
    }
)

router = APIRouter(tags=["web"], include_in_schema=False)
# A line needs two points: with fewer the page says so instead of drawing a lone dot.
CHART_MIN_HOURS = 2
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
    lang = request_lang(request)
    chart = (
        line_chart(
            [(as_utc(r.hour), r.availability) for r in rollups],
            title=t("camera.metrics", lang),
        )
        if len(rollups) >= CHART_MIN_HOURS
        else ""
    )
    chart_note = (
        ""
        if chart
        else t("camera.chart_not_enough", lang).format(need=CHART_MIN_HOURS, have=len(rollups))
    )
    reference = session.get(ReferenceView, camera.id)
    no_picture = ""
    if status is not None and status.state == HealthState.DOWN:
        seen = [as_utc(w) for w in (status.last_good_at, status.last_fault_at) if w is not None]
        latest = max((w for w in seen if w is not None), default=None)
        no_picture = (
            t("camera.no_picture_since", lang).format(since=format_local_zoned(latest))
            if latest is not None
            else t("camera.no_picture_ever", lang)
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
            "chart_note": chart_note,
            "reference": reference,
            "no_picture": no_picture,
        },
        actor=actor,
    )
