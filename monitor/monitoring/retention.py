"""Hourly roll-ups of raw probe results and the clean-up that enforces retention.

At 10,000 cameras an hour holds about 680,000 raw results: the roll-up is computed by the
database (one grouped query per hour), and the hour's roll-ups are replaced with one delete and
one multi-row insert, so the monitor neither loads the raw rows nor holds the write lock while
the database counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, String, and_, case, cast, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from monitor.core.models import HourlyRollup, ProbeRecord
from probes.faults import DOWN_FAULTS

# Metrics averaged into the hourly roll-ups (the rest stay only in raw results).
ROLLUP_METRICS = (
    "tcp_latency_seconds",
    "onvif_latency_seconds",
    "ttff_seconds",
    "clock_drift_seconds",
    "frame_brightness",
    "frame_sharpness",
    "frame_noise",
    "frame_contrast",
)

Rollup = dict[str, Any]


def hour_of(moment: datetime) -> datetime:
    """The start of the hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


def compute_rollups(session: Session, start: datetime, end: datetime) -> list[Rollup]:
    """The roll-up rows of every camera for the whole hours in [start, end) (reads only)."""
    faults_text = cast(ProbeRecord.faults, String)
    # A fault code is a quoted token in the stored JSON list (codes are distinct words).
    down = or_(*(faults_text.like(f'%"{fault}"%') for fault in sorted(DOWN_FAULTS)))
    values = [cast(ProbeRecord.metrics[name].as_string(), Float) for name in ROLLUP_METRICS]
    columns = [
        ProbeRecord.camera_id,
        func.count(),
        func.sum(case((down, 0), else_=1)),
        *(func.avg(value) for value in values),
    ]
    rows: list[Rollup] = []
    hour = hour_of(start)
    while hour < end:
        following = hour + timedelta(hours=1)
        in_hour = and_(ProbeRecord.at >= hour, ProbeRecord.at < following)
        stmt = select(*columns).where(in_hour).group_by(ProbeRecord.camera_id)
        for camera_id, probes, successes, *means in session.execute(stmt):
            metrics = {
                name: round(float(mean), 4)
                for name, mean in zip(ROLLUP_METRICS, means, strict=True)
                if mean is not None
            }
            rows.append(
                {
                    "camera_id": camera_id,
                    "hour": hour,
                    "probes": int(probes),
                    "successes": int(successes or 0),
                    "availability": (successes or 0) / probes,
                    "metrics": metrics,
                }
            )
        hour = following
    return rows


def store_rollups(session: Session, start: datetime, end: datetime, rows: list[Rollup]) -> int:
    """Replace the roll-ups of the hours in [start, end) with `rows`; how many were written."""
    first = hour_of(start)
    session.execute(delete(HourlyRollup).where(HourlyRollup.hour >= first, HourlyRollup.hour < end))
    if rows:
        session.execute(insert(HourlyRollup), rows)
    return len(rows)


def rollup(session: Session, start: datetime, end: datetime) -> int:
    """(Re)compute the hourly roll-ups of every camera for the hours in [start, end)."""
    return store_rollups(session, start, end, compute_rollups(session, start, end))


def purge(session: Session, now: datetime, keep_days: int) -> int:
    """Delete raw probe results older than the retention period (roll-ups stay)."""
    cutoff = now - timedelta(days=keep_days)
    result = session.execute(delete(ProbeRecord).where(ProbeRecord.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def rollup_window(now: datetime) -> tuple[datetime, datetime]:
    """The hours recomputed at each clean-up: the last completed one (late results) and this one."""
    current = hour_of(now)
    return current - timedelta(hours=1), current + timedelta(hours=1)


def clean_up(session: Session, now: datetime, keep_days: int) -> tuple[int, int]:
    """Roll up the recent hours, then purge expired raw results."""
    start, end = rollup_window(now)
    return rollup(session, start, end), purge(session, now, keep_days)
