"""Probing every camera (or one area) once, now: what a technician runs after a storm."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import load_only

from monitor.core.db import Database
from monitor.core.models import Area, Camera, CameraStatus, utcnow
from monitor.core.settings import Settings
from monitor.monitoring.runner import Outcome, Runner
from monitor.monitoring.schedule import Job, intervals
from monitor.outages import incidents
from monitor.registry.areas import get_area
from probes.result import ProbeTarget

Progress = Callable[[Outcome], None]


def _jobs(db: Database, settings: Settings, area_code: str | None, kinds: set[str]) -> list[Job]:
    now = datetime.now(UTC)
    with db.session() as session:
        stmt = select(Camera).join(Camera.area).where(Camera.enabled.is_(True))
        if area_code:
            stmt = stmt.where(Area.path.like(f"{get_area(session, area_code).path}%"))
        statuses = {
            s.camera_id: s
            for s in session.scalars(
                select(CameraStatus).options(
                    load_only(CameraStatus.camera_id, CameraStatus.identity)
                )
            )
        }
        jobs = []
        for camera in session.scalars(stmt.order_by(Camera.code)):
            for kind in intervals(camera, statuses.get(camera.id), settings):
                if kind in kinds:
                    jobs.append(Job(camera.id, kind, now))
        return jobs


async def run_once(
    db: Database,
    settings: Settings,
    *,
    area_code: str | None = None,
    progress: Progress | None = None,
    runner: Runner | None = None,
) -> list[Outcome]:
    """Reachability and ONVIF first (they reveal stream addresses), then the pictures."""
    runner = runner or Runner(db, settings)
    outcomes: list[Outcome] = []
    for phase in ({"tcp", "onvif"}, {"rtsp", "snapshot"}):
        jobs = _jobs(db, settings, area_code, phase)
        targets = await asyncio.to_thread(runner.load_targets, jobs)  # one query, not one a job

        async def one(job: Job, targets: dict[int, tuple[ProbeTarget, str]] = targets) -> None:
            loaded = targets.get(job.camera_id)
            outcome = await runner.run_one(job, loaded) if loaded is not None else None
            if outcome is not None:
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)

        await asyncio.gather(*(one(job) for job in jobs))
    await runner.close()
    with db.session() as session:
        incidents.maintain(session, settings, utcnow())
    return outcomes


def count_jobs(db: Database, settings: Settings, area_code: str | None) -> int:
    """How many probes a run-once of the area will make at most (for a progress bar)."""
    return len(_jobs(db, settings, area_code, {"tcp", "onvif", "rtsp", "snapshot"}))
