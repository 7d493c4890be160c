"""Coverage look-up: which cameras near a place were working at a time (JSON API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep, require_roles
from monitor.core.access import Actor
from monitor.reports.common import parse_time
from monitor.reports.coverage import COVERAGE_ROLES, look_up_place
from monitor.reports.schemas import CoveragePublic

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])

CoverageActor = Annotated[Actor, require_roles(*COVERAGE_ROLES)]


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
) -> CoveragePublic:
    """Cameras within radius_m of the place, nearest first: working, down, or down for how long."""
    answer = look_up_place(
        session,
        actor,
        lat=lat,
        lon=lon,
        camera=camera,
        radius_m=radius_m,
        start=parse_time(start, field="start"),
        end=parse_time(end, field="end"),
    )
    return CoveragePublic.of(answer)
