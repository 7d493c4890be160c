"""`camwatch scheduler` as real processes: SIGKILL and restart, SIGTERM, and two schedulers on
PostgreSQL."""

from __future__ import annotations

import itertools
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.core.models import (
    Camera,
    CameraStatus,
    HealthState,
    Incident,
    IncidentKind,
    ProbeRecord,
    ProbeSchedule,
    Ticket,
)
from tests.monitor.conftest import FAST, MonitoredFleet, start_scheduler, wait_until
from tests.processes import settings_env, stop_processes

FAST_ENV = settings_env(FAST)
# Pictures only (besides TCP), one taken at a time.
ONE_PICTURE_AT_A_TIME = {
    **FAST_ENV,
    "CAMWATCH_DEFAULT_ONVIF_INTERVAL_SECONDS": "0",
    "CAMWATCH_RUNNER_FRAME_CONCURRENCY": "1",
}


def _start(env: MonitoredFleet, log: Path) -> subprocess.Popen[bytes]:
    return start_scheduler(env, log, FAST_ENV)


def _state(env: MonitoredFleet, code: str) -> HealthState | None:
    with env.db.session() as s:
        return s.scalar(
            select(CameraStatus.state)
            .join(Camera, Camera.id == CameraStatus.camera_id)
            .where(Camera.code == code)
        )


def _count(env: MonitoredFleet, model: type, *where: object) -> int:
    with env.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _camera_id(env: MonitoredFleet, code: str) -> int:
    with env.db.session() as s:
        return s.scalar(select(Camera.id).where(Camera.code == code))


def _incidents_of(env: MonitoredFleet, code: str) -> int:
    # Only this camera's: on a loaded machine another camera may be slow enough to degrade.
    return _count(
        env,
        Incident,
        Incident.camera_id == _camera_id(env, code),
        Incident.kind == IncidentKind.CAMERA,
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def test_sigkill_mid_run_and_restart_duplicates_nothing(
    make_monitored_fleet, tmp_path: Path
) -> None:
    env = make_monitored_fleet(4)
    code = env.cameras[2].code
    log = tmp_path / "scheduler.log"
    first = _start(env, log)
    try:
        await wait_until(
            lambda: all(_state(env, c.code) == HealthState.UP for c in env.cameras),
            what="every camera up",
        )
        went_off = datetime.now(UTC)
        env.set_faults(code, offline=True)
        await wait_until(lambda: _count(env, Ticket), what="a ticket")
        first.send_signal(signal.SIGKILL)  # probes are in flight every quarter second
        first.wait(10)
        with env.db.session() as s:
            incident = s.scalar(select(Incident).where(Incident.camera_id == _camera_id(env, code)))
            started = _aware(incident.started_at)
        assert went_off.timestamp() - 1 <= started.timestamp() <= went_off.timestamp() + 4
        probes_before = _count(env, ProbeRecord)

        second = _start(env, log)
        try:
            await wait_until(
                lambda: _count(env, ProbeRecord) > probes_before + 20,
                what="probes after the restart",
            )
            assert _incidents_of(env, code) == 1
            assert _count(env, Ticket, Ticket.camera_id == _camera_id(env, code)) == 1
            came_back = datetime.now(UTC)
            env.set_faults(code, offline=False)
            await wait_until(lambda: _state(env, code) == HealthState.UP, what="camera back up")
            with env.db.session() as s:
                incident = s.scalar(
                    select(Incident).where(Incident.camera_id == _camera_id(env, code))
                )
                assert _aware(incident.started_at) == started
                ended = _aware(incident.ended_at)
            assert came_back.timestamp() - 1 <= ended.timestamp() <= came_back.timestamp() + 4
            assert _incidents_of(env, code) == 1
            assert _count(env, Ticket, Ticket.camera_id == _camera_id(env, code)) == 1
        finally:
            second.terminate()
            second.wait(20)
    finally:
        if first.poll() is None:
            first.kill()


async def test_sigterm_finishes_the_probe_under_way_and_leaves_no_camera_waiting(
    make_monitored_fleet, tmp_path: Path
) -> None:
    # Cameras that take 2 s to send a picture, one picture at a time: whenever the scheduler is
    # told to stop, a picture probe is under way and others wait for their turn.
    env = make_monitored_fleet(6)
    for camera in env.cameras:
        env.set_faults(camera.code, slow_seconds=2.0)
    log = tmp_path / "scheduler.log"
    proc = start_scheduler(env, log, ONE_PICTURE_AT_A_TIME)
    try:
        await wait_until(
            lambda: _count(env, ProbeRecord, ProbeRecord.kind == "snapshot") >= 2,
            timeout=60,
            what="pictures being taken",
        )
        pictures = _count(env, ProbeRecord, ProbeRecord.kind == "snapshot")
        proc.send_signal(signal.SIGTERM)  # how systemd and Docker stop a service
        exit_code = proc.wait(60)
    finally:
        stop_processes([proc], [log])
    assert exit_code == 0
    # The picture under way was finished and stored, not thrown away...
    assert _count(env, ProbeRecord, ProbeRecord.kind == "snapshot") > pictures
    # ...and no probe is left leased: the next scheduler probes every camera at once instead of
    # waiting out a five-minute lease as after a crash.
    assert _count(env, ProbeSchedule, ProbeSchedule.leased_until.is_not(None)) == 0
    assert "due again at once" in log.read_text()


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_two_schedulers_on_postgresql_one_acts_and_the_other_takes_over(
    make_monitored_fleet, tmp_path: Path
) -> None:
    env = make_monitored_fleet(3)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_start(env, logs[0]), _start(env, logs[1])]
    try:
        await wait_until(
            lambda: all(_state(env, c.code) == HealthState.UP for c in env.cameras),
            what="every camera up",
        )
        time.sleep(4)
        leaders = [i for i, log in enumerate(logs) if "now leads" in log.read_text()]
        assert len(leaders) == 1, [log.read_text()[-2000:] for log in logs]
        with env.db.session() as s:
            camera_id = s.scalar(select(Camera.id).where(Camera.code == env.cameras[0].code))
            times = sorted(
                _aware(t).timestamp()
                for t in s.scalars(
                    select(ProbeRecord.at).where(
                        ProbeRecord.camera_id == camera_id, ProbeRecord.kind == "tcp"
                    )
                )
            )
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # A 1 s interval, not probed twice: a probe's next slot is at least half an interval
        # after it started (schedule.next_slot).
        assert len(times) >= 4 and min(gaps) >= 0.499

        leader = procs[leaders[0]]
        follower_log = logs[1 - leaders[0]]
        leader.send_signal(signal.SIGKILL)
        leader.wait(10)
        await wait_until(lambda: "now leads" in follower_log.read_text(), what="takeover")
        before = _count(env, ProbeRecord)
        await wait_until(lambda: _count(env, ProbeRecord) > before + 6, what="probes continue")
    finally:
        stop_processes(procs, logs)
