"""`camwatch serve --demo`, what `make run` starts: health, OpenAPI, a demo fleet being watched."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.processes import CAMWATCH


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.xdist_group("demo-fleet")  # the demo fleet always uses 127.20.0.x
def test_serve_demo_answers_and_watches_the_fleet(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CAMWATCH_DATA_DIR": str(tmp_path / "data"),
        "CAMWATCH_LISTEN_PORT": str(port),
        "CAMWATCH_DEFAULT_TCP_INTERVAL_SECONDS": "5",
        "CAMWATCH_SCHEDULER_TICK_SECONDS": "1",
    }
    env.pop("CAMWATCH_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [CAMWATCH, "serve", "--demo"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError((tmp_path / "serve.log").read_text()[-3000:])
        assert httpx.get(f"{base}/readyz").json()["database"] == "ok"
        assert "swagger" in httpx.get(f"{base}/docs").text.lower()
        users = (tmp_path / "data" / "demo-users.txt").read_text().split("\n")
        admin_password = next(line.split()[2] for line in users if line.startswith("admin "))
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": "admin", "password": admin_password}
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        cameras = httpx.get(f"{base}/api/v1/cameras?limit=1", headers=headers).json()
        assert cameras["total"] == 60
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            metrics = httpx.get(f"{base}/metrics").text
            if 'camwatch_probes_total{kind="tcp",outcome="ok"}' in metrics:
                break
            time.sleep(1)
        else:
            raise AssertionError("no probe ran")
        assert "camwatch_scheduler_lag_seconds_count" in metrics
        assert 'camwatch_runner_queue_depth{pool="cheap"}' in metrics
        assert (tmp_path / "data" / "camwatch.db").exists()
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_taken_port_is_named_with_how_to_choose_another(tmp_path: Path) -> None:
    host = "127.77.31.9"
    with socket.socket() as taken:
        taken.bind((host, 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {**os.environ, "CAMWATCH_DATA_DIR": str(tmp_path / "data")}
        env.pop("CAMWATCH_DATABASE_URL", None)
        done = subprocess.run(
            [CAMWATCH, "serve", "--demo", "--host", host, "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"port {port} is already in use" in done.stderr
    assert "CAMWATCH_LISTEN_PORT=" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
