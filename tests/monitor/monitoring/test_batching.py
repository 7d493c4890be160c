"""Results folded in batches: every result stored once, in order, and the previous grab's
fingerprint kept with the camera's state (both databases)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from monitor.core.db import Database
from monitor.core.models import CameraStatus, HealthState, ProbeRecord, ProbeSchedule
from monitor.core.settings import Settings
from monitor.monitoring import schedule
from monitor.monitoring.runner import Finished, Runner
from monitor.monitoring.schedule import Job
from monitor.simulator import build_fleet
from monitor.simulator.demo import register_areas, register_cameras
from monitor.simulator.scene import render_scene
from probes.faults import FaultCode
from probes.frame.fingerprint import Fingerprint
from probes.result import ProbeResult


def _register(db: Database, settings: Settings, count: int) -> list[int]:
    cameras = build_fleet(count, seed=5, base_address="127.61.0.1", rtsp_count=0, faults=False)
    register_areas(db)
    register_cameras(db, settings, cameras)
    with db.session() as s:
        schedule.sync_schedule(s, settings, datetime.now(UTC))
        return sorted(set(s.scalars(select(ProbeSchedule.camera_id))))


def _count(db: Database, *where: object) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(ProbeRecord).where(*where)) or 0


def _status(db: Database, camera_id: int) -> CameraStatus:
    with db.session() as s:
        return s.get(CameraStatus, camera_id)  # type: ignore[return-value]


def _tcp(ok: bool) -> ProbeResult:
    if ok:
        return ProbeResult("tcp", True, duration_seconds=0.01)
    return ProbeResult.failure("tcp", FaultCode.OFFLINE, "no answer")


def _snapshot(frame: np.ndarray) -> ProbeResult:
    return ProbeResult("snapshot", True, frame=frame, duration_seconds=0.05)


async def test_concurrent_results_are_each_stored_once_and_folded_in_order(
    database: Database, settings: Settings
) -> None:
    ids = _register(database, settings, 12)
    runner = Runner(database, settings)
    # Five rounds of TCP results for every camera, all in flight at once: the writer batches them.
    now = datetime.now(UTC)
    rounds = [[Finished(Job(i, "tcp", now), _tcp(ok=True), now) for i in ids] for _ in range(5)]
    await asyncio.gather(*(runner.writer.submit(item) for items in rounds for item in items))
    # ... and one camera fails three times after that.
    for _ in range(3):
        await runner.writer.submit(Finished(Job(ids[0], "tcp", now), _tcp(ok=False), now))
    await runner.close()

    assert _count(database) == 5 * len(ids) + 3
    assert runner.writer.batches < runner.writer.items  # several results per transaction
    for camera_id in ids[1:]:
        status = _status(database, camera_id)
        assert status.state == HealthState.UP and status.consecutive_successes == 5
    failing = _status(database, ids[0])
    assert failing.consecutive_failures == 3 and failing.state == HealthState.DOWN
    with database.session() as s:
        row = s.get(ProbeSchedule, (ids[0], "tcp"))
        assert row is not None and row.leased_until is None and row.last_run_at is not None


async def test_a_leased_probe_that_another_scheduler_ran_meanwhile_is_not_stored_twice(
    database: Database, settings: Settings
) -> None:
    [camera_id] = _register(database, settings, 1)
    runner = Runner(database, settings)
    now = datetime.now(UTC) + timedelta(minutes=5)  # once the camera's first probe is due
    with database.session() as s:
        [job] = schedule.lease_due(s, now, limit=1, kinds={"tcp"})
    # The scheduler holding the lease is cut off; the one taking its place runs the job again
    # and stores its result first...
    await runner.writer.submit(Finished(job, _tcp(ok=True), now))
    # ...then the first one's result for the same due probe arrives: it is not stored.
    await runner.writer.submit(Finished(job, _tcp(ok=False), now))
    # An out-of-schedule probe (`camwatch run-once`) is not held to the schedule.
    await runner.writer.submit(Finished(Job(camera_id, "tcp", now), _tcp(ok=True), now))
    await runner.close()

    assert _count(database) == 2
    status = _status(database, camera_id)
    assert status.consecutive_failures == 0 and status.consecutive_successes == 2


async def test_a_result_that_cannot_be_folded_fails_only_its_own_caller(
    database: Database, settings: Settings
) -> None:
    ids = _register(database, settings, 4)
    runner = Runner(database, settings)
    now = datetime.now(UTC)
    # A picture that skipped its judgement (Runner.store) cannot be folded.
    broken = ProbeResult("snapshot", True, frame=np.zeros((1, 1), np.uint8))
    good = [runner.writer.submit(Finished(Job(i, "tcp", now), _tcp(ok=True), now)) for i in ids]
    bad = runner.writer.submit(Finished(Job(ids[1], "snapshot", now), broken, now))
    outcomes = await asyncio.gather(*good, bad, return_exceptions=True)
    await runner.close()
    assert isinstance(outcomes[-1], ValueError)
    assert _count(database) == len(ids)
    assert _count(database, ProbeRecord.kind == "snapshot") == 0


def _noisy(picture: np.ndarray, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, 2.0, picture.shape)
    return np.clip(picture.astype(np.float32) + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("restart", [False, True], ids=["same-runner", "after-restart"])
async def test_frozen_picture_found_on_the_second_grab_from_the_stored_fingerprint(
    database: Database, settings: Settings, restart: bool
) -> None:
    frozen_id, live_id = _register(database, settings, 2)
    scene = render_scene(11, 1280, 720)
    buffer = _noisy(scene, 1)
    now = datetime.now(UTC)

    async def grab(runner: Runner, camera_id: int, frame: np.ndarray) -> list[str]:
        await runner.store(Finished(Job(camera_id, "snapshot", now), _snapshot(frame), now))
        with database.session() as s:
            record = s.scalars(
                select(ProbeRecord)
                .where(ProbeRecord.camera_id == camera_id)
                .order_by(ProbeRecord.id.desc())
            ).first()
            return list(record.faults)

    runner = Runner(database, settings)
    assert await grab(runner, frozen_id, buffer) == []
    assert await grab(runner, live_id, _noisy(scene, 2)) == []
    if restart:
        await runner.close()
        runner = Runner(database, settings)
    assert await grab(runner, frozen_id, buffer.copy()) == ["frozen"]
    assert await grab(runner, live_id, _noisy(scene, 3)) == []
    await runner.close()

    stored = _status(database, frozen_id).frame_fingerprint
    assert stored is not None and len(stored) < 8192  # kilobytes, not a 2.7 MB frame
    assert Fingerprint.from_bytes(stored) is not None
