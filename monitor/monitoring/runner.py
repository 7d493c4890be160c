"""Running due probes with bounded concurrency and folding their results into the store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, defer, joinedload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.crypto import SecretBox
from monitor.core.db import Database, insert_unless_taken
from monitor.core.instruments import (
    MONITOR_SATURATED_TOTAL,
    PROBE_DURATION,
    PROBES_TOTAL,
    RUNNER_QUEUE_DEPTH,
    SCHEDULER_LAG,
)
from monitor.core.models import (
    Camera,
    CameraStatus,
    HealthState,
    ProbeRecord,
    ProbeSchedule,
    ReferenceView,
    utcnow,
)
from monitor.core.settings import Settings
from monitor.monitoring import schedule
from monitor.monitoring.batching import LINGER_SECONDS, BatchWriter
from monitor.monitoring.loadwatch import LoopWatch
from monitor.monitoring.pictures import (
    FrameMemory,
    PictureVerdict,
    judge_picture,
    read_context,
    store_verdict,
)
from monitor.monitoring.schedule import Job
from monitor.outages import incidents
from monitor.outages.evaluator import Observation, Transition, observe
from monitor.registry.cameras import probe_target
from probes import netguard
from probes.faults import PICTURE_FAULTS
from probes.registry import Probers
from probes.result import DeviceIdentity, ProbeResult, ProbeTarget

logger = logging.getLogger(__name__)

FRAME_KINDS = frozenset({"rtsp", "snapshot"})
# Written with every result, rarely read: not loaded with a batch's status rows.
BLOB_COLUMNS = (
    CameraStatus.last_good_jpeg,
    CameraStatus.last_fault_jpeg,
    CameraStatus.frame_fingerprint,
)
# Which probe kinds share one concurrency limit.
POOL_KINDS: dict[str, frozenset[str]] = {
    "cheap": frozenset({"tcp"}),
    "onvif": frozenset({"onvif"}),
    "frame": FRAME_KINDS,
}
# An event loop this late during a failed probe means camwatch, not the camera, was too slow.
SATURATED_LOOP_LAG = 1.0
SYSTEM = Actor.system("camwatch-probe")
# Results measured while the database refused writes (away, disk full, read-only), kept in
# memory without their pictures and stored once it takes writes again.
UNSAVED_MAX = 20_000


@dataclass(frozen=True, slots=True)
class Finished:
    """A probe that ran, waiting to be folded into the store (result None: only reschedule)."""

    job: Job
    result: ProbeResult | None
    started: datetime
    picture: PictureVerdict | None = None


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
        batch_linger: float = LINGER_SECONDS,
    ) -> None:
        self.db = db
        self.settings = settings
        self.probers = probers or Probers(settings.probe_config())
        self.box = SecretBox(settings.resolved_secret_key)
        self.memory = memory or FrameMemory(settings.frame_memory_mb * 1024 * 1024)
        self.loopwatch = LoopWatch()
        # Results are folded in batches, one transaction each (see batching.py); a database that
        # is away fails a whole batch at once instead of each of its results in turn.
        self.writer: BatchWriter[Finished, Transition | None] = BatchWriter(
            self._fold_batch, linger=batch_linger, fail_whole=(OperationalError,)
        )
        self.pool_sizes = {
            "cheap": settings.runner_cheap_concurrency,
            "onvif": settings.runner_onvif_concurrency,
            "frame": settings.runner_frame_concurrency,
        }
        # ONVIF costs far more CPU than a TCP connect, and decoding more still: separate limits.
        self._pools = {pool: asyncio.Semaphore(size) for pool, size in self.pool_sizes.items()}
        self._waiting = dict.fromkeys(self._pools, 0)
        self.unsaved: deque[Finished] = deque()
        # Once stopping, a job still waiting for its pool's room is not started but given back.
        self._stopping = False
        self._not_started: list[Job] = []
        # Results measured (and due to be stored) since this runner started.
        self.measured = 0
        self.unsaved_dropped = 0
        # Why the database refuses work now (a short label, never its message), and since when.
        self.storage_problem: str | None = None
        self.storage_problem_since: datetime | None = None

    async def run_one(
        self,
        job: Job,
        loaded: tuple[ProbeTarget, str] | None = None,
        probed: Callable[[], None] | None = None,
    ) -> Outcome | None:
        """Probe one camera once and store what it found (kept for later if the store fails).

        `loaded` is the camera's target and code when the caller has read them already;
        `probed` is called once the camera has answered (before the result is stored).
        None: the camera is gone or cannot be probed, or the runner stopped before the probe began.
        """
        if loaded is None:
            try:
                targets = await asyncio.to_thread(self.load_targets, [job])
            except SQLAlchemyError as exc:
                # Not probed: the job stays leased until its lease runs out, then runs again.
                self.note_storage_problem(exc)
                return None
            loaded = targets.get(job.camera_id)
        if loaded is None:
            return None
        target, code = loaded
        self.loopwatch.ensure_running()
        probed_once = await self._probe(job, target)
        if probed_once is None:
            self._not_started.append(job)
            if probed is not None:
                probed()
            return None
        started, result = probed_once
        if self._saturated(result):
            # camwatch itself was too busy to read the answer in time: ask the camera again
            # once; if that also happens under load, the camera is not blamed at all.
            self._note_saturated(code, job.kind, "asking again")
            again = await self._probe(job, target)
            if again is not None:
                started, result = again
            if again is None or self._saturated(result):
                self._note_saturated(code, job.kind, "not recorded")
                if probed is not None:
                    probed()
                await self._submit(Finished(job, None, started))
                return Outcome(job, code, result, None)
        if probed is not None:
            probed()
        PROBE_DURATION.labels(job.kind).observe(result.duration_seconds)
        if job.kind == "tcp" and result.ok:
            # The camera answers again: do not let an ONVIF back-off repeat an old failure.
            self.probers.note_reachable(target)
        if result.backed_off:
            # No new evidence: the ONVIF client is pausing after repeated failures.
            await self._submit(Finished(job, None, started))
            return Outcome(job, code, result, None)
        self.measured += 1
        finished = Finished(job, result, started)
        try:
            finished, transition = await self.store(finished)
        except SQLAlchemyError as exc:
            self.note_storage_problem(exc)
            self._keep_unsaved(finished)
            return Outcome(job, code, result, None)
        self.note_storage_ok()
        _count(finished)
        assert finished.result is not None
        return Outcome(job, code, finished.result, transition)

    async def store(self, finished: Finished) -> tuple[Finished, Transition | None]:
        """Judge the result's picture, if it has one, then fold it in with its batch."""
        if finished.result is not None and finished.result.frame is not None:
            # Judged before it is queued for the writer: the picture's CPU work (decoding the
            # reference, assessing, blending) runs beside other probes, not inside the batch's
            # transaction, and the pixels are dropped before the result waits.
            finished = await asyncio.to_thread(self._judge, finished)
        return finished, await self.writer.submit(finished)

    def _judge(self, finished: Finished) -> Finished:
        """The result with its picture judged against what is stored, and the verdict."""
        result = finished.result
        assert result is not None and result.frame is not None
        with self.db.session() as session:
            context = read_context(session, finished.job.camera_id)
        verdict = judge_picture(context, result.frame, self.memory)
        judged = result.with_picture(verdict.assessment.faults, verdict.assessment.metrics)
        return replace(finished, result=judged, picture=verdict)

    async def _submit(self, finished: Finished) -> None:
        """Store a reschedule-only item; on a database failure the lease runs out instead."""
        try:
            await self.writer.submit(finished)
        except SQLAlchemyError as exc:
            self.note_storage_problem(exc)

    async def _probe(self, job: Job, target: ProbeTarget) -> tuple[datetime, ProbeResult] | None:
        """Run one probe within its pool's limit (None: stopping, not started).

        Its deadline starts when it is sent, not while it waits for room.
        """
        pool = pool_of(job.kind)
        limiter = self._pools[pool]
        self._waiting[pool] += 1
        RUNNER_QUEUE_DEPTH.labels(pool).set(self._waiting[pool])
        async with limiter:
            self._waiting[pool] -= 1
            RUNNER_QUEUE_DEPTH.labels(pool).set(self._waiting[pool])
            if self._stopping:
                return None
            started = datetime.now(UTC)
            SCHEDULER_LAG.observe(max(0.0, (started - job.due_at).total_seconds()))
            result = await self.probers.run(
                job.kind, target, timeout=self.settings.probe_timeout_seconds
            )
        return started, result

    def _saturated(self, result: ProbeResult) -> bool:
        """A failure during which this process's event loop ran too late to read answers."""
        if result.ok or result.backed_off:
            return False
        lag = self.loopwatch.worst_since(time.monotonic() - result.duration_seconds)
        return lag >= SATURATED_LOOP_LAG

    @staticmethod
    def _note_saturated(code: str, kind: str, then: str) -> None:
        MONITOR_SATURATED_TOTAL.labels(kind).inc()
        logger.warning(
            "%s: %s probe failed while camwatch itself was saturated (its event loop ran late); "
            "not counted against the camera, %s",
            code,
            kind,
            then,
        )

    async def store_unsaved(self) -> bool:
        """Store results kept while the database refused them, oldest first; True when all are."""
        while self.unsaved:
            batch = [self.unsaved[i] for i in range(min(len(self.unsaved), self.writer.max_batch))]
            try:
                await asyncio.to_thread(self._fold_batch, batch)
            except SQLAlchemyError as exc:
                self.note_storage_problem(exc)
                return False
            for finished in batch:
                self.unsaved.popleft()
                _count(finished)
        return True

    def _keep_unsaved(self, finished: Finished) -> None:
        if len(self.unsaved) >= UNSAVED_MAX:
            self.unsaved.popleft()
            self.unsaved_dropped += 1
        assert finished.result is not None
        # The picture is not kept (megabytes each); the measurement is.
        kept = replace(finished.result, frame=None)
        self.unsaved.append(replace(finished, result=kept, picture=None))

    def note_storage_problem(self, exc: SQLAlchemyError | str) -> None:
        """Remember that the database refused work, and why (a label safe to show anyone)."""
        label = exc if isinstance(exc, str) else storage_problem_label(exc)
        if self.storage_problem != label:
            logger.warning("probing pauses (%s); results already measured are kept", label)
            self.storage_problem_since = utcnow()
        self.storage_problem = label

    def note_storage_ok(self) -> None:
        """The database took a write again."""
        if self.storage_problem is not None:
            logger.info("probing resumes (%d kept results to store)", len(self.unsaved))
        self.storage_problem = None
        self.storage_problem_since = None

    def stop_starting(self) -> None:
        """Start no more probes: those already talking to a camera finish, waiting ones do not."""
        self._stopping = True

    def give_back_not_started(self) -> int:
        """Release the leases of the jobs not started while stopping; how many.

        They are due again at once for whichever scheduler runs next, instead of waiting out
        their lease as if this process had crashed.
        """
        jobs, self._not_started = self._not_started, []
        if jobs:
            with self.db.writing(), self.db.session() as session:
                schedule.release(session, jobs)
        return len(jobs)

    async def close(self) -> None:
        """Store the results still queued, then close the probers' reused sessions."""
        await self.loopwatch.stop()
        await self.writer.flush()
        await self.probers.close()

    def load_targets(self, jobs: Sequence[Job]) -> dict[int, tuple[ProbeTarget, str]]:
        """The probe target and code of each job's camera, read in one query."""
        ids = sorted({job.camera_id for job in jobs})
        targets: dict[int, tuple[ProbeTarget, str]] = {}
        with self.db.session() as session:
            rows = session.execute(
                select(Camera, CameraStatus.identity)
                .outerjoin(CameraStatus, CameraStatus.camera_id == Camera.id)
                .where(Camera.id.in_(ids))
            )
            for camera, identity in rows:
                known = DeviceIdentity.from_dict(identity)
                try:
                    target = probe_target(camera, self.box)
                except ValueError as exc:  # e.g. a password stored under another secret key
                    logger.error("%s cannot be probed: %s", camera.code, exc)
                    continue
                # The stream and snapshot addresses the camera announced over ONVIF, unless the
                # registry overrides them; an announced one outside the probe networks is
                # ignored (the probes check again, on the address they resolve, when they connect).
                target = replace(
                    target,
                    rtsp_url=target.rtsp_url or self._announced(known.stream_uri, "rtsp"),
                    snapshot_url=target.snapshot_url
                    or self._announced(known.snapshot_uri, "snapshot"),
                    known_boot_time=known.boot_time,
                )
                targets[camera.id] = (target, camera.code)
        return targets

    def _announced(self, uri: str, kind: str) -> str | None:
        """An address the camera announced, if its scheme and host may be probed."""
        networks = self.probers.cfg.allowed_networks
        schemes = netguard.URL_SCHEMES[kind]
        return uri if uri and netguard.url_allowed(uri, networks, schemes=schemes) else None

    @staticmethod
    def _locked_statuses(session: Session, ids: list[int]) -> dict[int, CameraStatus]:
        """The cameras' status rows, locked in id order; created on a camera's first probe."""
        # Probes of one camera may be folded by several workers at once: the row lock orders
        # them, and taking the locks in id order keeps two batches from deadlocking.
        stmt = (
            select(CameraStatus)
            .options(*(defer(c) for c in BLOB_COLUMNS))
            .where(CameraStatus.camera_id.in_(ids))
            .order_by(CameraStatus.camera_id)
            .with_for_update()
        )
        statuses = {s.camera_id: s for s in session.scalars(stmt)}
        for camera_id in ids:
            if camera_id in statuses:
                continue
            insert_unless_taken(session, new_status(camera_id))  # or another process just did
            one = stmt.where(CameraStatus.camera_id == camera_id)
            statuses[camera_id] = session.scalars(one).one()
        return statuses

    def _fold_batch(self, items: Sequence[Finished]) -> list[Transition | None]:
        """Fold many results in one transaction, in the order they came."""
        now = utcnow()
        ids = sorted({item.job.camera_id for item in items})
        with self.db.writing(), self.db.session() as session:
            cameras = {
                c.id: c
                for c in session.scalars(
                    select(Camera).options(joinedload(Camera.area)).where(Camera.id.in_(ids))
                )
            }
            present = [i for i in ids if i in cameras]
            statuses = self._locked_statuses(session, present) if present else {}
            # Read into the session (and held: its identity map is weak) so that
            # schedule.complete and the picture judgement find them without a query each.
            held: list[object] = list(
                session.scalars(select(ProbeSchedule).where(ProbeSchedule.camera_id.in_(ids)))
            )
            pictures = sorted({i.job.camera_id for i in items if i.job.kind in FRAME_KINDS})
            if pictures:
                held += session.scalars(
                    select(ReferenceView).where(ReferenceView.camera_id.in_(pictures))
                ).all()
            maintenance = incidents.cameras_in_maintenance(session, present, now)
            # One flush at commit writes the batch's rows together; a lookup that must see
            # this batch's own rows (incidents) flushes first (see _fold).
            # The raw results are written with one multi-row insert (no ORM objects).
            records: list[dict[str, Any]] = []
            with session.no_autoflush:
                transitions = [
                    self._fold_item(session, item, cameras, statuses, maintenance, now, records)
                    for item in items
                ]
            if records:
                session.execute(insert(ProbeRecord), records)
            del held
        return transitions

    def _fold_item(
        self,
        session: Session,
        item: Finished,
        cameras: dict[int, Camera],
        statuses: dict[int, CameraStatus],
        maintenance: set[int],
        now: datetime,
        records: list[dict[str, Any]],
    ) -> Transition | None:
        camera = cameras.get(item.job.camera_id)
        if camera is None:
            return None
        if schedule.ran_elsewhere(session, item.job):
            # Another scheduler took this one's place (its lock lost) and ran the job again:
            # the result it stored stands, this one is not stored twice.
            job = item.job
            logger.info(
                "%s %s probe due %s already ran elsewhere", camera.code, job.kind, job.due_at
            )
            return None
        if item.result is None:
            schedule.complete(session, item.job, self.settings, item.started)
            return None
        status = statuses[camera.id]
        return self._fold(session, camera, status, item, camera.id in maintenance, now, records)

    def _fold(
        self,
        session: Session,
        camera: Camera,
        status: CameraStatus,
        item: Finished,
        maintenance: bool,
        now: datetime,
        records: list[dict[str, Any]],
    ) -> Transition | None:
        job, result, started = item.job, item.result, item.started
        assert result is not None
        if result.frame is not None:
            raise ValueError("a picture is judged before its result is stored (Runner.store)")
        evidence = self._store_picture(session, status, item)
        if result.identity is not None:
            self._note_identity(session, camera, status, result.identity)
        status.metrics = {**(status.metrics or {}), **result.metrics}
        records.append(
            {
                "camera_id": camera.id,
                "kind": job.kind,
                "at": started,
                "ok": result.ok,
                "faults": [str(f) for f in result.faults],
                "reason": result.reason[:2000],
                "duration_seconds": result.duration_seconds,
                "lag_seconds": max(0.0, (started - job.due_at).total_seconds()),
                "metrics": result.metrics,
                "details": _small_details(result.details),
            }
        )
        faults = tuple(str(f) for f in result.faults)
        observation = Observation(job.kind, started, faults)
        transition = observe(status, observation, self.settings, in_maintenance=maintenance)
        if transition is not None:
            session.flush()  # the camera's incident may have been opened earlier in this batch
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
        elif status.consecutive_failures > 0 and not maintenance:
            # Inside a maintenance window the camera is expected to fail: no verdict on a
            # repair until the work is over.
            session.flush()
            incidents.check_fixed_ticket(session, camera.id, self.settings, now, still_failing=True)
        # Next due on the probe's own slot after it started, however long its result waited for
        # the writer (a due time already past is simply due at once, never replayed).
        schedule.complete(session, job, self.settings, started)
        return transition

    @staticmethod
    def _store_picture(session: Session, status: CameraStatus, item: Finished) -> bytes | None:
        """Store what the grab's verdict leaves (fingerprint, view, thumbnail); its evidence."""
        verdict = item.picture
        if verdict is None:
            return None
        store_verdict(session, status, verdict)
        now = utcnow()
        if picture_is_good(verdict.assessment.ok, status, item.job.kind):
            status.last_good_jpeg, status.last_good_at = verdict.thumbnail, now
        else:
            status.last_fault_jpeg, status.last_fault_at = verdict.thumbnail, now
        return verdict.thumbnail

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


def storage_problem_label(exc: SQLAlchemyError) -> str:
    """A short, fixed label for a database failure (its message may name hosts or SQL)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return "disk full"
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "read-only"
    if "disk i/o" in text:
        return "disk I/O error"
    return "database unreachable"


def picture_is_good(assessment_ok: bool, status: CameraStatus, kind: str) -> bool:
    """Whether a grab may be shown as the camera's "last good picture".

    Not when another probe kind's latest picture of the same camera found a picture fault (a
    half-covered lens that one grab's judgement missed): the page would caption the picture of
    a camera that is degraded right now as "good".
    """
    others = {f for k, faults in (status.faults_by_kind or {}).items() if k != kind for f in faults}
    return assessment_ok and not others & PICTURE_FAULTS


def pool_of(kind: str) -> str:
    """The concurrency pool a probe kind runs in."""
    return next((pool for pool, kinds in POOL_KINDS.items() if kind in kinds), "cheap")


def _count(finished: Finished) -> None:
    """Count a stored result by kind and outcome."""
    result = finished.result
    if result is None:
        return
    outcome = "ok" if result.ok and not result.faults else str(result.faults[0])
    PROBES_TOTAL.labels(finished.job.kind, outcome).inc()


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
