"""Coverage look-up: which cameras near a place were working at a time (or over a range)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.models import Area, AreaLevel, Camera, Incident, IncidentKind, Role
from monitor.registry.area_index import AreaIndex
from monitor.registry.cameras import get_camera
from monitor.reports.common import as_utc, covered_seconds

# Who may ask where cameras were working: police for investigations, and the staff.
COVERAGE_ROLES = (Role.ADMIN, Role.TECHNICIAN, Role.POLICE)

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0
MAX_RADIUS_M = 20_000.0

# Status of a camera over the asked time.
WORKING = "working"
DOWN = "down"  # down for the whole time asked
PARTIAL = "partial"  # down for part of it
DEGRADED = "degraded"  # recording, but with picture or clock faults
NOT_MONITORED = "not_monitored"  # not registered yet, or not monitored


@dataclass(slots=True)
class CameraCoverage:
    """One camera near the place, and how it fared over the time asked."""

    code: str
    name: str
    address: str
    commune: str
    cluster: str
    latitude: float
    longitude: float
    distance_m: float
    status: str
    down_seconds: float
    degraded_seconds: float
    # Down or degraded (the one availability definition, docs/availability.md).
    unavailable_seconds: float = 0.0
    faults: list[str] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class CoverageAnswer:
    """The cameras within the radius, nearest first, with the place and time that were asked."""

    latitude: float
    longitude: float
    radius_m: float
    start: datetime
    end: datetime
    cameras: list[CameraCoverage]

    @property
    def range_seconds(self) -> float:
        """Length of the time range asked (0 for a single moment)."""
        return (self.end - self.start).total_seconds()


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle, for an indexable prefilter."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def place_of_camera(session: Session, actor: Actor, code: str) -> tuple[float, float]:
    """The coordinates of a registered camera (the 'address of a registered camera' form)."""
    camera = get_camera(session, actor, code)
    if camera.latitude is None or camera.longitude is None:
        raise InvalidData(f"camera {code!r} has no coordinates")
    return camera.latitude, camera.longitude


def look_up_place(
    session: Session,
    actor: Actor,
    *,
    lat: float | None,
    lon: float | None,
    camera: str | None,
    radius_m: float,
    start: datetime | None,
    end: datetime | None,
) -> CoverageAnswer:
    """Look up around coordinates or around a registered camera (its code); start is required."""
    if camera:
        lat, lon = place_of_camera(session, actor, camera.strip())
    if lat is None or lon is None:
        raise InvalidData("give lat and lon, or camera=CODE, as the place")
    if start is None:
        raise InvalidData("start (a time, or the start of a range) is required")
    return look_up(session, actor, lat=lat, lon=lon, radius_m=radius_m, start=start, end=end)


def look_up(
    session: Session,
    actor: Actor,
    *,
    lat: float,
    lon: float,
    radius_m: float,
    start: datetime,
    end: datetime | None = None,
    now: datetime | None = None,
) -> CoverageAnswer:
    """Cameras within `radius_m` of (lat, lon) and whether they worked at `start` (or over
    [start, end)). A camera with no incident then was working if it was registered then."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidData("latitude must be within ±90 and longitude within ±180")
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise InvalidData(f"radius_m must be between 1 and {MAX_RADIUS_M:.0f}")
    start = as_utc(start)
    end = as_utc(end) or start
    if end < start:
        raise InvalidData("the end of the time range must not be before its start")
    now = now or datetime.now(UTC)
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_m)
    candidates = session.execute(
        select(
            Camera.id,
            Camera.code,
            Camera.name,
            Camera.address,
            Camera.area_id,
            Camera.latitude,
            Camera.longitude,
            Camera.created_at,
            Camera.enabled,
        )
        .join(Area, Camera.area_id == Area.id)
        .where(
            Camera.latitude.between(min_lat, max_lat),
            Camera.longitude.between(min_lon, max_lon),
            actor.area_filter(Area.path),
        )
    ).all()
    near = []
    for row in candidates:
        distance = haversine_m(lat, lon, row.latitude, row.longitude)
        if distance <= radius_m:
            near.append((distance, row))
    incidents = _incidents(session, [row.id for _, row in near], start, end)
    areas = AreaIndex.load(session) if near else AreaIndex({})
    cameras = [
        _judge(row, distance, incidents.get(row.id, []), start, end, now, areas)
        for distance, row in sorted(near, key=lambda pair: (pair[0], pair[1].code))
    ]
    return CoverageAnswer(lat, lon, radius_m, start, end, cameras)


def _incidents(
    session: Session, camera_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[Incident]]:
    """Camera incidents intersecting [start, end] (a moment: those open at it)."""
    found: dict[int, list[Incident]] = {}
    if not camera_ids:
        return found
    ends_after = Incident.ended_at > start
    stmt = select(Incident).where(
        Incident.kind == IncidentKind.CAMERA,
        Incident.camera_id.in_(camera_ids),
        Incident.started_at <= end if end == start else Incident.started_at < end,
        or_(Incident.ended_at.is_(None), ends_after),
    )
    for incident in session.scalars(stmt):
        if incident.camera_id is not None:
            found.setdefault(incident.camera_id, []).append(incident)
    return found


def _judge(
    row,
    distance: float,
    incidents: list[Incident],
    start: datetime,
    end: datetime,
    now: datetime,
    areas: AreaIndex,
) -> CameraCoverage:
    down = [i for i in incidents if i.state == "down"]
    degraded = [i for i in incidents if i.state != "down"]
    registered = as_utc(row.created_at)
    horizon = min(end, now) if end > start else end
    if end == start:
        down_seconds = 0.0
        degraded_seconds = 0.0
        unavailable_seconds = 0.0
        status = DOWN if down else DEGRADED if degraded else WORKING
    else:
        spans_down = [(i.started_at, i.ended_at or horizon) for i in down]
        spans_degraded = [(i.started_at, i.ended_at or horizon) for i in degraded]
        down_seconds = covered_seconds(spans_down, start, end)
        degraded_seconds = covered_seconds(spans_degraded, start, end)
        unavailable_seconds = covered_seconds(spans_down + spans_degraded, start, end)
        if down_seconds >= (end - start).total_seconds() - 1:
            status = DOWN
        elif down_seconds > 0:
            status = PARTIAL
        elif degraded_seconds > 0:
            status = DEGRADED
        else:
            status = WORKING
    registered_late = registered is not None and registered > end
    if not incidents and (registered_late or not row.enabled):
        status = NOT_MONITORED
    faults: list[str] = []
    for incident in incidents:
        faults.extend(f for f in incident.faults or [] if f not in faults)
    return CameraCoverage(
        code=row.code,
        name=row.name,
        address=row.address,
        commune=areas.name(row.area_id, AreaLevel.COMMUNE),
        cluster=areas.name(row.area_id, AreaLevel.CLUSTER),
        latitude=row.latitude,
        longitude=row.longitude,
        distance_m=round(distance, 1),
        status=status,
        down_seconds=down_seconds,
        degraded_seconds=degraded_seconds,
        unavailable_seconds=unavailable_seconds,
        faults=faults,
        incident_ids=sorted(i.id for i in incidents),
    )
