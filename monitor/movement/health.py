"""Measured health of a camera model's cameras over a period: availability and faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.core.localtime import display_zone
from monitor.core.models import Camera, Incident, IncidentKind, as_utc
from monitor.movement.schemas import CameraHealth, ModelHealth
from monitor.reports.common import availability_share, covered_seconds

# Review periods are calendar dates as the committees write them, in Vietnam's time.


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants of local midnight at `start` and local midnight after `end`."""
    begin = datetime.combine(start, time.min, display_zone()).astimezone(UTC)
    finish = datetime.combine(end + timedelta(days=1), time.min, display_zone()).astimezone(UTC)
    return begin, finish


def cameras_health(
    session: Session,
    cameras: Sequence[Camera],
    start: date,
    end: date,
    *,
    now: datetime | None = None,
) -> ModelHealth:
    """Availability (docs/availability.md), incidents and faults of the cameras in [start, end]."""
    begin, finish = period_bounds(start, end)
    now = now or datetime.now(UTC)
    horizon = min(finish, now)
    ids = [c.id for c in cameras]
    incidents: dict[int, list[Incident]] = {}
    if ids:
        # Only per-camera incidents: a group incident's members are camera incidents already.
        stmt_i = select(Incident).where(
            Incident.kind == IncidentKind.CAMERA,
            Incident.in_maintenance.is_(False),
            Incident.camera_id.in_(ids),
            Incident.started_at < finish,
            or_(Incident.ended_at.is_(None), Incident.ended_at > begin),
        )
        for incident in session.scalars(stmt_i):
            incidents.setdefault(incident.camera_id or 0, []).append(incident)
    rows: list[CameraHealth] = []
    for camera in cameras:
        # The same rule as the availability report: a camera counts from its registration.
        from_ = max(begin, as_utc(camera.created_at) or begin)
        monitored = max(0.0, (horizon - from_).total_seconds())
        mine = incidents.get(camera.id, [])
        faults: Counter[str] = Counter()
        for incident in mine:
            faults.update(incident.faults or [])
        spans = [(as_utc(i.started_at), as_utc(i.ended_at)) for i in mine]
        downtime = covered_seconds(spans, from_, horizon) if monitored else 0.0
        share = availability_share(monitored, downtime)
        rows.append(
            CameraHealth(
                code=camera.code,
                name=camera.name,
                availability=round(share, 4) if share is not None else None,
                hours_measured=int(monitored // 3600),
                monitored_seconds=monitored,
                incidents=len(mine),
                downtime_seconds=downtime,
                faults=dict(sorted(faults.items())),
            )
        )
    return summarise(rows, start, end)


def summarise(rows: list[CameraHealth], start: date, end: date) -> ModelHealth:
    """Totals over some cameras: availability of their camera-time, incidents, faults."""
    share = availability_share(
        sum(r.monitored_seconds for r in rows), sum(r.downtime_seconds for r in rows)
    )
    faults: Counter[str] = Counter()
    for row in rows:
        faults.update(row.faults)
    return ModelHealth(
        period_start=start,
        period_end=end,
        cameras=rows,
        availability=round(share, 4) if share is not None else None,
        incidents=sum(r.incidents for r in rows),
        downtime_seconds=sum(r.downtime_seconds for r in rows),
        faults=dict(sorted(faults.items())),
    )
