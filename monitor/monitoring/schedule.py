"""Which probes are due: per-camera, per-kind intervals with a stable jitter, leased to runners."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from monitor.core.models import Camera, CameraStatus, ProbeSchedule, as_utc
from monitor.core.settings import Settings

# A leased job not reported back by then (a runner died) is handed out again.
LEASE = timedelta(minutes=5)
# New cameras' first probes of one kind started per second at most (start-up pacing).
FIRST_PROBES_PER_SECOND = 20


@dataclass(frozen=True, slots=True)
class Job:
    """One probe of one kind of one camera, and when it fell due."""

    camera_id: int
    kind: str
    due_at: datetime
    # Handed out from the schedule (not an out-of-schedule probe such as `camwatch run-once`):
    # its result counts only while the schedule still waits for it (see ran_elsewhere).
    leased: bool = field(default=False, compare=False)


def intervals(camera: Camera, status: CameraStatus | None, settings: Settings) -> dict[str, int]:
    """Seconds between probes of each kind this camera gets (0 or absent: not probed)."""
    profile = camera.probe_profile or {}
    known = (status.identity if status is not None else None) or {}
    result = {
        "tcp": int(profile.get("tcp", settings.default_tcp_interval_seconds)),
        "onvif": int(profile.get("onvif", settings.default_onvif_interval_seconds)),
    }
    # The picture comes from the registry's stream or snapshot address first, then from what
    # the camera announced over ONVIF.
    picture_kind = None
    if camera.rtsp_url:
        picture_kind = "rtsp"
    elif camera.snapshot_url:
        picture_kind = "snapshot"
    elif known.get("stream_uri"):
        picture_kind = "rtsp"
    elif known.get("snapshot_uri"):
        picture_kind = "snapshot"
    if picture_kind == "rtsp":
        result["rtsp"] = int(profile.get("rtsp", settings.default_rtsp_interval_seconds))
    elif picture_kind == "snapshot":
        result["snapshot"] = int(
            profile.get("snapshot", settings.default_snapshot_interval_seconds)
        )
    if "snapshot" in profile and "snapshot" not in result:
        result["snapshot"] = int(profile["snapshot"])
    return {kind: seconds for kind, seconds in result.items() if seconds > 0}


@dataclass(frozen=True, slots=True)
class _Known:
    """What `intervals` reads of a camera's status."""

    identity: dict[str, Any] | None


def jitter(camera_id: int, kind: str, interval: int) -> float:
    """A stable offset in [0, interval) so a fleet's probes spread evenly over the interval."""
    digest = hashlib.blake2s(f"{camera_id}:{kind}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % max(1, interval * 1000) / 1000


def first_round_spread(new_probes: int, interval: int) -> int:
    """Seconds over which the first probes of one kind of `new_probes` cameras are spread."""
    # Within a minute when that keeps to FIRST_PROBES_PER_SECOND (no thundering herd at
    # start-up); a fleet too big for that spreads over the whole interval. Later rounds keep to
    # each probe's own slot (next_slot), whatever the first round's spread.
    if new_probes / FIRST_PROBES_PER_SECOND > 60:
        return interval
    return min(interval, 60)


def first_due(camera_id: int, kind: str, interval: int, spread: int, now: datetime) -> datetime:
    """When a new probe first runs: within `spread` seconds of `now`, on its own slot if it can."""
    if spread >= interval:
        # Spread over the whole interval anyway: on the grid `next_slot` keeps, so later rounds
        # follow at once instead of shuffling every probe onto its slot after the first run.
        return slot_at_or_after(camera_id, kind, interval, now)
    return now + timedelta(seconds=jitter(camera_id, kind, spread))


def sync_schedule(session: Session, settings: Settings, now: datetime) -> int:
    """Give every enabled camera a schedule row per kind it needs; drop rows no longer needed."""
    # Only the columns needed (it runs every minute over the whole fleet: whole rows, with
    # the statuses' thumbnails, cost seconds and hundreds of megabytes at 10,000 cameras).
    existing = {
        (camera_id, kind)
        for camera_id, kind in session.execute(select(ProbeSchedule.camera_id, ProbeSchedule.kind))
    }
    statuses = {
        camera_id: _Known(identity)
        for camera_id, identity in session.execute(
            select(CameraStatus.camera_id, CameraStatus.identity)
        )
    }
    cameras = session.execute(
        select(Camera.id, Camera.probe_profile, Camera.rtsp_url, Camera.snapshot_url).where(
            Camera.enabled.is_(True)
        )
    )
    wanted: set[tuple[int, str]] = set()
    missing: list[tuple[int, str, int]] = []
    for camera in cameras:
        known = statuses.get(camera.id)
        for kind, interval in intervals(camera, known, settings).items():  # type: ignore[arg-type]
            wanted.add((camera.id, kind))
            if (camera.id, kind) not in existing:
                missing.append((camera.id, kind, interval))
    new_of_kind = Counter(kind for _, kind, _ in missing)
    for camera_id, kind, interval in missing:
        spread = first_round_spread(new_of_kind[kind], interval)
        first = first_due(camera_id, kind, interval, spread, now)
        session.add(ProbeSchedule(camera_id=camera_id, kind=kind, next_due_at=first))
    added = len(missing)
    for camera_id, kind in existing - wanted:
        session.execute(
            delete(ProbeSchedule).where(
                ProbeSchedule.camera_id == camera_id, ProbeSchedule.kind == kind
            )
        )
    return added


def lease_due(
    session: Session, now: datetime, limit: int, kinds: Collection[str] | None = None
) -> list[Job]:
    """Take up to `limit` due jobs (of `kinds`), oldest first, leased so nobody else runs them."""
    stmt = (
        select(ProbeSchedule)
        .where(
            ProbeSchedule.next_due_at <= now,
            or_(ProbeSchedule.leased_until.is_(None), ProbeSchedule.leased_until < now),
        )
        .order_by(ProbeSchedule.next_due_at)
        .limit(limit)
    )
    if kinds is not None:
        stmt = stmt.where(ProbeSchedule.kind.in_(sorted(kinds)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    jobs = []
    for row in session.scalars(stmt):
        jobs.append(Job(row.camera_id, row.kind, as_utc(row.next_due_at) or now, leased=True))
        row.leased_until = now + LEASE
    return jobs


def release(session: Session, jobs: list[Job]) -> None:
    """Give leased jobs back (never sent): the next tick hands them out again at once."""
    for job in jobs:
        row = session.get(ProbeSchedule, (job.camera_id, job.kind))
        if row is not None:
            row.leased_until = None


def release_all(session: Session) -> int:
    """Give back every leased job (a new leader of in-process runners); how many."""
    result = session.execute(
        update(ProbeSchedule)
        .where(ProbeSchedule.leased_until.is_not(None))
        .values(leased_until=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def ran_elsewhere(session: Session, job: Job) -> bool:
    """True when a leased `job` was run meanwhile by another runner (its schedule moved on)."""
    row = session.get(ProbeSchedule, (job.camera_id, job.kind))
    return job.leased and row is not None and as_utc(row.next_due_at) != job.due_at


def still_due(session: Session, job: Job) -> bool:
    """True while `job` has not been run (a redelivered copy of a finished job is not)."""
    row = session.get(ProbeSchedule, (job.camera_id, job.kind))
    return row is not None and as_utc(row.next_due_at) == job.due_at


def next_slot(camera_id: int, kind: str, interval: int, started: datetime) -> datetime:
    """When a probe that started at `started` is next due: its own slot on a grid of `interval`.

    Each probe keeps a fixed phase (its jitter) on a grid of its interval, so the fleet stays
    spread over the interval whatever happened: after an outage every overdue probe runs once, as
    capacity allows, then returns to its own slot instead of coming back, an interval later, in
    the burst it was run in. The slot is the first one at least half an interval after the start
    (a probe that ran late is not run again at once); on time, it is exactly one interval later.
    """
    return slot_at_or_after(camera_id, kind, interval, started + timedelta(seconds=interval / 2))


def slot_at_or_after(camera_id: int, kind: str, interval: int, earliest: datetime) -> datetime:
    """The probe's first slot (its jitter on a grid of `interval` seconds) not before `earliest`."""
    phase = jitter(camera_id, kind, interval)
    slot = phase + math.ceil((earliest.timestamp() - phase) / interval) * interval
    return datetime.fromtimestamp(slot, UTC)


def complete(session: Session, job: Job, settings: Settings, now: datetime) -> None:
    """Mark a job done; next due on its own slot after `now` (its start; see `next_slot`)."""
    row = session.get(ProbeSchedule, (job.camera_id, job.kind))
    if row is None:
        return
    camera = session.get(Camera, job.camera_id)
    status = session.get(CameraStatus, job.camera_id)
    interval = intervals(camera, status, settings).get(job.kind) if camera else None
    row.last_run_at = now
    row.leased_until = None
    seconds = interval or settings.default_tcp_interval_seconds
    row.next_due_at = next_slot(job.camera_id, job.kind, seconds, now)


def due_count(session: Session, now: datetime) -> int:
    """How many probes are due and not yet handed out (the backlog)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ProbeSchedule)
            .where(
                ProbeSchedule.next_due_at <= now,
                or_(ProbeSchedule.leased_until.is_(None), ProbeSchedule.leased_until < now),
            )
        )
        or 0
    )
