"""`camwatch run-once` and `camwatch probe` against a simulated fleet, as an operator runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sqlalchemy import select

from monitor.cli.monitoring import NO_ADDRESS
from monitor.core.models import Camera, CameraStatus, HealthState
from tests.monitor.conftest import MonitoredFleet
from tests.processes import CAMWATCH, camwatch_env


def _run(env: MonitoredFleet, *args: str) -> subprocess.CompletedProcess[str]:
    variables = {
        "CAMWATCH_DOWN_AFTER_FAILURES": "1",
        "CAMWATCH_PROBE_TIMEOUT_SECONDS": "10",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [CAMWATCH, *args],
        env=camwatch_env(env.settings, variables),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_run_once_probes_everything_and_summarises(make_monitored_fleet) -> None:
    env = make_monitored_fleet(5)
    broken = env.cameras[3].code
    env.set_faults(broken, offline=True)
    done = _run(env, "run-once")
    assert done.returncode == 0, done.stderr
    assert "probing" in done.stdout and "offline" in done.stdout
    with env.db.session() as s:
        states = dict(
            s.execute(
                select(Camera.code, CameraStatus.state).join(
                    CameraStatus, CameraStatus.camera_id == Camera.id
                )
            ).all()
        )
    assert states[broken] == HealthState.DOWN
    # The others answer; on a loaded machine a slow ONVIF answer may leave one degraded.
    assert all(state != HealthState.DOWN for c, state in states.items() if c != broken)
    assert sum(state == HealthState.UP for state in states.values()) >= 2
    # The summary names the camera that is down; log lines go to a file, not over the bar.
    down_table = done.stdout.split("camera(s) down", 1)[1]
    assert broken in down_table and "offline" in down_table
    assert " INFO " not in done.stdout + done.stderr
    log = Path(env.settings.data_dir) / "run-once.log"
    assert f"log of this run: {log}" in done.stdout.replace("\n", "")
    assert broken in log.read_text()
    only_area = _run(env, "run-once", "--area", env.cameras[0].area_code)
    assert only_area.returncode == 0


def test_probe_prints_results_as_json_without_secrets(make_monitored_fleet) -> None:
    env = make_monitored_fleet(2)
    camera = env.cameras[0]
    done = _run(
        env,
        "probe",
        camera.code,
        "--kind",
        "tcp",
        "--kind",
        "onvif",
        "--kind",
        "snapshot",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    by_kind = {r["kind"]: r for r in answer["results"]}
    assert by_kind["tcp"]["ok"] and by_kind["onvif"]["ok"]
    assert by_kind["onvif"]["identity"]["serial"] == camera.identity.serial
    assert by_kind["snapshot"]["picture"]["faults"] == []
    assert camera.password not in done.stdout + done.stderr
    missing = _run(env, "probe", "NO-SUCH-CAMERA")
    assert missing.returncode == 1 and "not found" in missing.stdout


def test_probe_skips_a_stream_it_has_no_address_for(make_monitored_fleet) -> None:
    env = make_monitored_fleet(1)
    camera = env.cameras[0]
    env.set_faults(camera.code, offline=True)  # ONVIF cannot announce a stream either
    with env.db.session() as s:
        registered = s.scalar(select(Camera).where(Camera.code == camera.code))
        registered.rtsp_url = None
        registered.snapshot_url = None
    done = _run(env, "probe", camera.code, "--json")
    assert done.returncode == 0, done.stderr
    by_kind = {r["kind"]: r for r in json.loads(done.stdout)["results"]}
    assert "offline" in by_kind["tcp"]["faults"]
    assert by_kind["rtsp"] == {"kind": "rtsp", "skipped": NO_ADDRESS["rtsp"]}
    assert "stream_error" not in done.stdout
    shown = _run(env, "probe", camera.code)
    assert "skipped: no RTSP URL" in shown.stdout
