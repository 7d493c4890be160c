"""The runner stopping: the probe under way finishes and is stored, a waiting one is given back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import select

from monitor.core.models import ProbeRecord, ProbeSchedule, utcnow
from monitor.monitoring import schedule
from monitor.monitoring.runner import Runner
from tests.monitor.conftest import wait_until


def _waiting_for_a_picture_slot() -> float:
    return REGISTRY.get_sample_value("camwatch_runner_queue_depth", {"pool": "frame"}) or 0.0


async def test_a_stopping_runner_finishes_the_probe_under_way_and_gives_back_the_waiting_one(
    make_monitored_fleet,
) -> None:
    env = make_monitored_fleet(2)
    for camera in env.cameras:
        env.set_faults(camera.code, slow_seconds=1.0)
    runner = Runner(env.db, env.settings.model_copy(update={"runner_frame_concurrency": 1}))
    with env.db.writing(), env.db.session() as s:
        schedule.sync_schedule(s, env.settings, utcnow())
        # Both cameras' picture probes, leased as the scheduler leases them.
        jobs = schedule.lease_due(s, utcnow() + timedelta(days=1), limit=2, kinds={"snapshot"})
    assert len(jobs) == 2
    targets = runner.load_targets(jobs)
    try:
        tasks = [asyncio.create_task(runner.run_one(j, targets[j.camera_id])) for j in jobs]
        await asyncio.sleep(0)  # both reach their pool's limit before the gauge is read
        # One picture at a time: the first is under way, the second waits for its turn.
        await wait_until(lambda: _waiting_for_a_picture_slot() == 1, what="a probe waiting")
        runner.stop_starting()
        under_way, waiting = await asyncio.gather(*tasks)
        assert under_way is not None and under_way.result.ok
        assert waiting is None
        assert await asyncio.to_thread(runner.give_back_not_started) == 1
    finally:
        await runner.close()
    with env.db.session() as s:
        stored = s.scalars(select(ProbeRecord.camera_id).where(ProbeRecord.kind == "snapshot"))
        assert list(stored) == [under_way.job.camera_id]
        rows = {
            r.camera_id: r
            for r in s.scalars(select(ProbeSchedule).where(ProbeSchedule.kind == "snapshot"))
        }
    # The finished probe is due again one interval on; the one never started is due at once,
    # leased by nobody, so the next scheduler runs it without waiting out a lease.
    assert rows[under_way.job.camera_id].leased_until is None
    assert rows[under_way.job.camera_id].last_run_at is not None
    given_back = next(j for j in jobs if j is not under_way.job)
    assert rows[given_back.camera_id].leased_until is None
    assert rows[given_back.camera_id].last_run_at is None
