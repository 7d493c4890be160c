"""Hourly roll-ups of raw probe results and the clean-up that enforces retention."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitor.core.models import HourlyRollup, ProbeRecord, as_utc
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


def hour_of(moment: datetime) -> datetime:
    """The start of the hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


def rollup(session: Session, start: datetime, end: datetime) -> int:
    """(Re)compute the hourly roll-ups of every camera for the hours in [start, end)."""
    rows = session.execute(
        select(
            ProbeRecord.camera_id, ProbeRecord.at, ProbeRecord.faults, ProbeRecord.metrics
        ).where(ProbeRecord.at >= start, ProbeRecord.at < end)
    )
    buckets: dict[tuple[int, datetime], dict] = defaultdict(
        lambda: {"probes": 0, "ok": 0, "sums": defaultdict(float), "counts": defaultdict(int)}
    )
    for camera_id, at, faults, metrics in rows:
        bucket = buckets[(camera_id, hour_of(as_utc(at)))]
        bucket["probes"] += 1
        if not any(f in DOWN_FAULTS for f in faults or []):
            bucket["ok"] += 1
        for name in ROLLUP_METRICS:
            if name in (metrics or {}):
                bucket["sums"][name] += float(metrics[name])
                bucket["counts"][name] += 1
    for (camera_id, hour), bucket in buckets.items():
        row = session.get(HourlyRollup, (camera_id, hour))
        if row is None:
            row = HourlyRollup(camera_id=camera_id, hour=hour)
            session.add(row)
        row.probes = bucket["probes"]
        row.successes = bucket["ok"]
        row.availability = bucket["ok"] / bucket["probes"]
        row.metrics = {n: round(bucket["sums"][n] / c, 4) for n, c in bucket["counts"].items()}
    return len(buckets)


def purge(session: Session, now: datetime, keep_days: int) -> int:
    """Delete raw probe results older than the retention period (roll-ups stay)."""
    cutoff = now - timedelta(days=keep_days)
    result = session.execute(delete(ProbeRecord).where(ProbeRecord.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def clean_up(session: Session, now: datetime, keep_days: int) -> tuple[int, int]:
    """Roll up the last completed hours, then purge expired raw results."""
    current = hour_of(now)
    hours = rollup(session, current - timedelta(hours=2), current + timedelta(hours=1))
    return hours, purge(session, now, keep_days)
