"""`camwatch run-once` and `camwatch probe` against a simulated fleet, as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from monitor.core.models import Camera, CameraStatus, HealthState
from tests.monitor.conftest import MonitoredFleet

CAMWATCH = str(Path(sys.executable).parent / "camwatch")


def _run(env: MonitoredFleet, *args: str) -> subprocess.CompletedProcess[str]:
    s = env.settings
    variables = {
        "CAMWATCH_ENVIRONMENT": "test",
        "CAMWATCH_DATABASE_URL": s.resolved_database_url,
        "CAMWATCH_SECRET_KEY": s.resolved_secret_key,
        "CAMWATCH_DATA_DIR": str(s.data_dir),
        "CAMWATCH_ALLOWED_PROBE_NETWORKS": "127.0.0.0/8",
        "CAMWATCH_DOWN_AFTER_FAILURES": "1",
        "CAMWATCH_PROBE_TIMEOUT_SECONDS": "10",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [CAMWATCH, *args],
        env={**os.environ, **variables},
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
