"""Coverage look-up: which cameras near a place were working at a time (JSON API)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import SessionDep, require_roles
from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.models import Role
from monitor.reports.common import parse_time
from monitor.reports.coverage import look_up, place_of_camera

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])

COVERAGE_ROLES = (Role.ADMIN, Role.TECHNICIAN, Role.POLICE)
CoverageActor = Annotated[Actor, require_roles(*COVERAGE_ROLES)]


def coverage_answer(
    session: SessionDep,
    actor: Actor,
    *,
    lat: float | None,
    lon: float | None,
    camera: str | None,
    radius_m: float,
    start: str | None,
    end: str | None,
) -> dict[str, Any]:
    """Resolve the place (coordinates or a camera code) and the time, then look up."""
    if camera:
        lat, lon = place_of_camera(session, actor, camera.strip())
    if lat is None or lon is None:
        raise InvalidData("give lat and lon, or camera=CODE, as the place")
    when = parse_time(start, field="start")
    if when is None:
        raise InvalidData("start (a time, or the start of a range) is required")
    answer = look_up(
        session,
        actor,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        start=when,
        end=parse_time(end, field="end"),
    )
    return {
        "latitude": answer.latitude,
        "longitude": answer.longitude,
        "radius_m": answer.radius_m,
        "start": answer.start,
        "end": answer.end,
        "range_seconds": answer.range_seconds,
        "cameras": [asdict(c) for c in answer.cameras],
    }


@router.get("")
def coverage(
    session: SessionDep,
    actor: CoverageActor,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    camera: Annotated[str | None, Query(description="a registered camera's code")] = None,
    radius_m: Annotated[float, Query(gt=0, le=20000)] = 300,
    start: Annotated[
        str | None,
        Query(description="ISO time, or the range start; without an offset Vietnam time"),
    ] = None,
    end: Annotated[
        str | None, Query(description="ISO time: the range end; without an offset Vietnam time")
    ] = None,
) -> dict[str, Any]:
    """Cameras within radius_m of the place, nearest first: working, down, or down for how long."""
    return coverage_answer(
        session, actor, lat=lat, lon=lon, camera=camera, radius_m=radius_m, start=start, end=end
    )
