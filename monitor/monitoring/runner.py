"""Running due probes with bounded concurrency and folding their results into the store."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.crypto import SecretBox
from monitor.core.db import Database
from monitor.core.instruments import (
    PROBE_DURATION,
    PROBES_TOTAL,
    RUNNER_QUEUE_DEPTH,
    SCHEDULER_LAG,
)
from monitor.core.models import Camera, CameraStatus, HealthState, ProbeRecord, utcnow
from monitor.core.settings import Settings
from monitor.monitoring import schedule
from monitor.monitoring.pictures import FrameMemory, judge_picture
from monitor.monitoring.schedule import Job
from monitor.outages import incidents
from monitor.outages.evaluator import Observation, Transition, observe
from monitor.registry.cameras import probe_target
from probes.faults import PICTURE_FAULTS
from probes.registry import Probers
from probes.result import DeviceIdentity, ProbeResult, ProbeTarget

logger = logging.getLogger(__name__)

FRAME_KINDS = frozenset({"rtsp", "snapshot"})
SYSTEM = Actor.system("camwatch-probe")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one job found and whether it changed the camera's state."""

    job: Job
    code: str
    result: ProbeResult
    transition: Transition | None


class Runner:
    """Runs probes for jobs: cheap probes and frame decoding each with their own limit."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        memory: FrameMemory | None = None,
        probers: Probers | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.probers = probers or Probers(settings.probe_config())
        self.box = SecretBox(settings.resolved_secret_key)
        self.memory = memory or FrameMemory()
        # ONVIF costs far more CPU than a TCP connect, and decoding more still: separate limits.
        self._pools = {
            "cheap": asyncio.Semaphore(settings.runner_cheap_concurrency),
            "onvif": asyncio.Semaphore(settings.runner_onvif_concurrency),
            "frame": asyncio.Semaphore(settings.runner_frame_concurrency),
        }
        self._waiting = dict.fromkeys(self._pools, 0)
        self._camera_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)

    async def run(self, jobs: list[Job]) -> list[Outcome]:
        """Run every job concurrently within the limits; outcomes in job order."""
        results = await asyncio.gather(*(self.run_one(job) for job in jobs))
        return [r for r in results if r is not None]

    async def run_one(self, job: Job) -> Outcome | None:
        """Probe one camera once and store what it found."""
        loaded = await asyncio.to_thread(self._load_target, job)
        if loaded is None:
            return None
        target, code = loaded
        pool = "frame" if job.kind in FRAME_KINDS else "onvif" if job.kind == "onvif" else "cheap"
        limiter = self._pools[pool]
        self._waiting[pool] += 1
        RUNNER_QUEUE_DEPTH.labels(pool).set(self._waiting[pool])
        async with limiter:
            self._waiting[pool] -= 1
            RUNNER_QUEUE_DEPTH.labels(pool).set(self._waiting[pool])
            started = datetime.now(UTC)
            SCHEDULER_LAG.observe(max(0.0, (started - job.due_at).total_seconds()))
            result = await self.probers.run(
                job.kind, target, timeout=self.settings.probe_timeout_seconds
            )
        PROBE_DURATION.labels(job.kind).observe(result.duration_seconds)
        if job.kind == "tcp" and result.ok:
            # The camera answers again: do not let an ONVIF back-off repeat an old failure.
            self.probers.note_reachable(target)
        if result.backed_off:
            # No new evidence: the ONVIF client is pausing after repeated failures.
            await asyncio.to_thread(self._reschedule, job)
            return Outcome(job, code, result, None)
        transition = await asyncio.to_thread(self._store, job, result, started)
        outcome = "ok" if result.ok and not result.faults else str(result.faults[0])
        PROBES_TOTAL.labels(job.kind, outcome).inc()
        return Outcome(job, code, result, transition)

    async def close(self) -> None:
        """Close the probers' reused sessions (at shutdown)."""
        await self.probers.close()

    def _reschedule(self, job: Job) -> None:
        with self.db.session() as session:
            schedule.complete(session, job, self.settings, utcnow())

    def _load_target(self, job: Job) -> tuple[ProbeTarget, str] | None:
        with self.db.session() as session:
            camera = session.get(Camera, job.camera_id)
            if camera is None:
                return None
            status = session.get(CameraStatus, job.camera_id)
            known = DeviceIdentity.from_dict(status.identity if status else None)
            target = probe_target(camera, self.box)
            # The stream and snapshot addresses the camera announced over ONVIF, unless the
            # registry overrides them.
            target = replace(
                target,
                rtsp_url=target.rtsp_url or known.stream_uri or None,
                snapshot_url=target.snapshot_url or known.snapshot_uri or None,
                known_boot_time=known.boot_time,
            )
            return target, camera.code

    def _store(self, job: Job, result: ProbeResult, started: datetime) -> Transition | None:
        with self._camera_locks[job.camera_id]:
            return self._fold(job, result, started)

    @staticmethod
    def _locked_status(session: Session, camera_id: int) -> CameraStatus:
        """The camera's status row, locked; created on the camera's first probe."""
        stmt = select(CameraStatus).where(CameraStatus.camera_id == camera_id).with_for_update()
        status = session.scalar(stmt)
        if status is not None:
            return status
        try:
            with session.begin_nested():
                session.add(new_status(camera_id))
        except IntegrityError:
            pass  # another process created it a moment ago
        return session.scalars(stmt).one()

    def _fold(self, job: Job, result: ProbeResult, started: datetime) -> Transition | None:
        now = utcnow()
        with self.db.session() as session:
            camera = session.scalar(
                select(Camera).options(joinedload(Camera.area)).where(Camera.id == job.camera_id)
            )
            if camera is None:
                return None
            # Probes of one camera finish concurrently: lock its status row while folding in.
            status = self._locked_status(session, camera.id)
            result, evidence = self._judge_frame(camera, status, result, session)
            if result.identity is not None:
                self._note_identity(session, camera, status, result.identity)
            status.metrics = {**(status.metrics or {}), **result.metrics}
            session.add(
                ProbeRecord(
                    camera_id=camera.id,
                    kind=job.kind,
                    at=started,
                    ok=result.ok,
                    faults=[str(f) for f in result.faults],
                    reason=result.reason[:2000],
                    duration_seconds=result.duration_seconds,
                    lag_seconds=max(0.0, (started - job.due_at).total_seconds()),
                    metrics=result.metrics,
                    details=_small_details(result.details),
                )
            )
            faults = tuple(str(f) for f in result.faults)
            observation = Observation(job.kind, started, faults)
            maintenance = incidents.in_maintenance(session, camera.id, now)
            transition = observe(status, observation, self.settings, in_maintenance=maintenance)
            if transition is not None:
                incidents.record_transition(
                    session,
                    camera,
                    transition,
                    self.settings,
                    reason=result.reason,
                    metrics=result.metrics,
                    evidence_jpeg=evidence,
                )
                logger.info(
                    "%s %s -> %s (%s)",
                    camera.code,
                    transition.before.value,
                    transition.after.value,
                    ", ".join(transition.faults) or "no fault",
                )
            elif status.consecutive_failures > 0:
                incidents.check_fixed_ticket(
                    session, camera.id, self.settings, now, still_failing=True
                )
            schedule.complete(session, job, self.settings, now)
            return transition

    def _judge_frame(
        self, camera: Camera, status: CameraStatus, result: ProbeResult, session: Session
    ) -> tuple[ProbeResult, bytes | None]:
        """The result with the picture's verdict added (pixels dropped), and its thumbnail."""
        if result.frame is None:
            return result, None
        verdict = judge_picture(session, camera.id, result.frame, self.memory)
        judged = result.with_picture(verdict.assessment.faults, verdict.assessment.metrics)
        now = utcnow()
        if picture_is_good(verdict.assessment.ok, status, result.kind):
            status.last_good_jpeg, status.last_good_at = verdict.thumbnail, now
        else:
            status.last_fault_jpeg, status.last_fault_at = verdict.thumbnail, now
        return judged, verdict.thumbnail

    def _note_identity(
        self, session: Session, camera: Camera, status: CameraStatus, reported: DeviceIdentity
    ) -> None:
        status.identity = reported.merged_over(DeviceIdentity.from_dict(status.identity)).to_dict()
        before = {"serial": camera.serial, "firmware": camera.firmware}
        if reported.serial:
            camera.serial = reported.serial[:100]
        if reported.firmware:
            camera.firmware = reported.firmware[:100]
        if not camera.vendor and reported.manufacturer:
            camera.vendor = reported.manufacturer[:100]
        changes = audit.diff(before, {"serial": camera.serial, "firmware": camera.firmware})
        if changes:
            audit.record(session, SYSTEM, "probe_update", "camera", camera.code, changes)


def picture_is_good(assessment_ok: bool, status: CameraStatus, kind: str) -> bool:
    """Whether a grab may be shown as the camera's "last good picture".

    Not when another probe kind's latest picture of the same camera found a picture fault (a
    half-covered lens that one grab's judgement missed): the page would caption the picture of
    a camera that is degraded right now as "good".
    """
    others = {f for k, faults in (status.faults_by_kind or {}).items() if k != kind for f in faults}
    return assessment_ok and not others & PICTURE_FAULTS


def new_status(camera_id: int) -> CameraStatus:
    """The status of a camera never probed."""
    return CameraStatus(
        camera_id=camera_id,
        state=HealthState.UNKNOWN,
        since=utcnow(),
        faults=[],
        faults_by_kind={},
        fault_since={},
        recent_transitions=[],
        metrics={},
        identity={},
        consecutive_failures=0,
        consecutive_successes=0,
        flapping=False,
    )


def _small_details(details: dict[str, Any]) -> dict[str, Any]:
    """The parts of probe details worth keeping with every raw result."""
    keep = (
        "port",
        "ports",
        "codec",
        "width",
        "height",
        "fps",
        "status_code",
        "events",
        "recording_jobs",
    )
    return {k: details[k] for k in keep if k in details}
