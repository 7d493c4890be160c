"""The camera map: cameras coloured by state (clustered), a card per camera, and the coverage
look-up by clicking a place. Leaflet is served from /static/vendor; tiles come from
CAMWATCH_MAP_TILES, and without them the cameras stand on a coordinate grid with a scale."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from api.deps import SessionDep, SettingsDep
from api.web import page_strings  # noqa: F401  (registers the page strings)
from api.web.auth import PageActor
from api.web.templating import render, request_lang
from monitor.core import i18n
from monitor.core.localtime import format_local
from monitor.reports.coverage import COVERAGE_ROLES
from monitor.reports.overview import STATES, map_points

router = APIRouter(tags=["web"], include_in_schema=False)

COVERAGE_LABELS = ("working", "down", "partial", "degraded", "not_monitored")
_JS_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _json_block(value: object) -> Markup:
    # JSON inside <script type="application/json">: escape what could close the element.
    return Markup(
        json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_JS_ESCAPES)
    )


@router.get("/map")
def map_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PageActor
) -> HTMLResponse:
    """Every camera with coordinates in the user's areas, coloured by its current state."""
    lang = request_lang(request, actor)
    points = map_points(session, actor)
    data = {
        "cameras": [
            {
                "code": p.code,
                "name": p.name,
                "address": p.address,
                "lat": p.lat,
                "lon": p.lon,
                "state": p.state,
                "faults": i18n.fault_labels(p.faults, lang) if p.faults else "",
                "enabled": p.enabled,
            }
            for p in points
        ],
        "tiles": settings.map_tiles,
        "attribution": settings.map_tiles_attribution,
        "coverage": actor.role in COVERAGE_ROLES,
        "focus": request.query_params.get("camera", ""),
        "labels": {
            **{f"health.{s.value}": i18n.t(f"health.{s.value}", lang) for s in STATES},
            **{f"coverage.{k}": i18n.t(f"coverage.{k}", lang) for k in COVERAGE_LABELS},
            "health.degraded": i18n.t("health.degraded", lang),
            "open": i18n.t("map.open_camera", lang),
            "result": i18n.t("map.coverage_result", lang),
            "found": i18n.t("coverage.found", lang),
            "none": i18n.t("coverage.none", lang),
            "loading": i18n.t("map.loading", lang),
            "error": i18n.t("map.error", lang),
            "grid": i18n.t("map.grid", lang),
        },
    }
    context = {
        "data": _json_block(data),
        "count": len(points),
        "states": [s.value for s in STATES],
        "coverage": data["coverage"],
        "now_local": format_local(datetime.now(UTC), "%Y-%m-%dT%H:%M"),
    }
    return render(request, "pages/map.html", context, actor=actor)
