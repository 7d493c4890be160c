"""Measured health of a camera model's cameras over a period: availability and faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from monitor.core.localtime import display_zone
from monitor.core.models import Camera, HourlyRollup, Incident, IncidentKind, as_utc
from monitor.movement.schemas import CameraHealth, ModelHealth

# Review periods are calendar dates as the committees write them, in Vietnam's time.


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants of local midnight at `start` and local midnight after `end`."""
    begin = datetime.combine(start, time.min, display_zone()).astimezone(UTC)
    finish = datetime.combine(end + timedelta(days=1), time.min, display_zone()).astimezone(UTC)
    return begin, finish


def cameras_health(
    session: Session, cameras: Sequence[Camera], start: date, end: date
) -> ModelHealth:
    """Mean hourly availability (from roll-ups) and incidents of the cameras in [start, end]."""
    begin, finish = period_bounds(start, end)
    ids = [c.id for c in cameras]
    rollups: dict[int, tuple[float | None, int]] = {}
    if ids:
        stmt = (
            select(
                HourlyRollup.camera_id,
                func.avg(HourlyRollup.availability),
                func.count(HourlyRollup.hour),
            )
            .where(
                HourlyRollup.camera_id.in_(ids),
                HourlyRollup.hour >= begin,
                HourlyRollup.hour < finish,
            )
            .group_by(HourlyRollup.camera_id)
        )
        rollups = {cid: (avg, count) for cid, avg, count in session.execute(stmt)}
    incidents: dict[int, list[Incident]] = {}
    if ids:
        # Only per-camera incidents: a group incident's members are camera incidents already.
        stmt_i = select(Incident).where(
            Incident.kind == IncidentKind.CAMERA,
            Incident.camera_id.in_(ids),
            Incident.started_at < finish,
            or_(Incident.ended_at.is_(None), Incident.ended_at > begin),
        )
        for incident in session.scalars(stmt_i):
            incidents.setdefault(incident.camera_id or 0, []).append(incident)
    now = datetime.now(UTC)
    rows: list[CameraHealth] = []
    for camera in cameras:
        avg, hours = rollups.get(camera.id, (None, 0))
        faults: Counter[str] = Counter()
        downtime = 0.0
        for incident in incidents.get(camera.id, []):
            faults.update(incident.faults or [])
            ended = as_utc(incident.ended_at) if incident.ended_at else min(now, finish)
            overlap = min(ended, finish) - max(as_utc(incident.started_at), begin)
            downtime += max(0.0, overlap.total_seconds())
        rows.append(
            CameraHealth(
                code=camera.code,
                name=camera.name,
                availability=round(float(avg), 4) if avg is not None else None,
                hours_measured=int(hours),
                incidents=len(incidents.get(camera.id, [])),
                downtime_seconds=downtime,
                faults=dict(sorted(faults.items())),
            )
        )
    return summarise(rows, start, end)


def summarise(rows: list[CameraHealth], start: date, end: date) -> ModelHealth:
    """Totals over some cameras: availability weighted by measured hours, incidents, faults."""
    measured = [(r.availability, r.hours_measured) for r in rows if r.availability is not None]
    hours = sum(h for _, h in measured)
    availability = round(sum(a * h for a, h in measured) / hours, 4) if hours else None
    faults: Counter[str] = Counter()
    for row in rows:
        faults.update(row.faults)
    return ModelHealth(
        period_start=start,
        period_end=end,
        cameras=rows,
        availability=availability,
        incidents=sum(r.incidents for r in rows),
        downtime_seconds=sum(r.downtime_seconds for r in rows),
        faults=dict(sorted(faults.items())),
    )
