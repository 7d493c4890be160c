"""Acceptance: a frozen camera in a 10,000-camera simulated fleet is `frozen` on its second
picture probe, also when `camwatch scheduler` is restarted between the two probes (real
processes)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from monitor.core.models import Camera, CameraStatus, HealthState, ProbeRecord
from monitor.simulator.model import PictureKind
from tests.monitor.conftest import MonitoredFleet, start_scheduler, wait_until

FLEET = 10_000
# The fleet at a province's pace, gentle enough for a loaded test machine (10,000 cameras'
# pictures spread over 15 minutes); the two cameras watched have their pictures every 5 s.
INTERVALS = {
    "CAMWATCH_DEFAULT_TCP_INTERVAL_SECONDS": "300",
    "CAMWATCH_DEFAULT_ONVIF_INTERVAL_SECONDS": "0",
    "CAMWATCH_DEFAULT_SNAPSHOT_INTERVAL_SECONDS": "900",
    "CAMWATCH_SCHEDULER_TICK_SECONDS": "1",
    "CAMWATCH_PROBE_TIMEOUT_SECONDS": "10",
}
WATCHED_PROFILE = {"tcp": 300, "onvif": 0, "snapshot": 5}


def _start(env: MonitoredFleet, log: Path) -> subprocess.Popen[bytes]:
    return start_scheduler(env, log, INTERVALS)


def _snapshots(env: MonitoredFleet, camera_id: int) -> list[list[str]]:
    with env.db.session() as s:
        return [
            list(faults)
            for faults in s.scalars(
                select(ProbeRecord.faults)
                .where(ProbeRecord.camera_id == camera_id, ProbeRecord.kind == "snapshot")
                .order_by(ProbeRecord.at)
            )
        ]


def _two(pictures: list[list[str]]) -> list[list[str]] | None:
    return pictures if len(pictures) >= 2 else None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.mark.xdist_group("fleet-10000")  # one 10,000-camera fleet at a time on 2 cores
async def test_frozen_camera_in_a_large_fleet_is_reported_on_its_second_picture_after_a_restart(
    make_monitored_fleet, tmp_path: Path
) -> None:
    # An address block of its own: 10,000 addresses overrun the other tests' 127.14/15 blocks.
    env = make_monitored_fleet(FLEET, base_address="127.72.0.1")
    frozen, live = env.cameras[FLEET // 2], env.cameras[FLEET // 2 + 1]
    env.fleet.set_picture(frozen.code, PictureKind.FROZEN)
    with env.db.session() as s:
        ids = {code: id_ for code, id_ in s.execute(select(Camera.code, Camera.id))}
        s.execute(
            update(Camera)
            .where(Camera.code.in_([frozen.code, live.code]))
            .values(probe_profile=WATCHED_PROFILE)
        )
    log = tmp_path / "scheduler.log"

    first = _start(env, log)
    try:
        await wait_until(
            lambda: _snapshots(env, ids[frozen.code]), timeout=120, what="the first picture"
        )
    finally:
        _stop(first)
    # One grab is no evidence of a freeze: nothing to compare it with yet.
    assert _snapshots(env, ids[frozen.code]) == [[]]

    second = _start(env, log)
    try:
        pictures = await wait_until(
            lambda: _two(_snapshots(env, ids[frozen.code])),
            timeout=120,
            what="the second picture",
        )
        await wait_until(
            lambda: len(_snapshots(env, ids[live.code])) >= 2, timeout=60, what="a live camera"
        )
    finally:
        _stop(second)
    assert pictures[1] == ["frozen"]
    assert all(faults == [] for faults in _snapshots(env, ids[live.code]))
    with env.db.session() as s:
        status = s.get(CameraStatus, ids[frozen.code])
        assert status.state == HealthState.DEGRADED and "frozen" in status.faults
        # Every other camera probed so far found healthy (no false freeze, no self-made alarm).
        frozen_elsewhere = s.scalar(
            select(func.count())
            .select_from(CameraStatus)
            .where(CameraStatus.camera_id != ids[frozen.code], CameraStatus.state != HealthState.UP)
        )
    assert frozen_elsewhere == 0, log.read_text()[-3000:]
    assert "Unclosed client session" not in log.read_text()
