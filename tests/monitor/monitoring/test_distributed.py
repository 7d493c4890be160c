"""Probes spread over Celery workers through the real RabbitMQ, one queue per cluster."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from monitor.core.models import HealthState
from tests.monitor.conftest import FAST, MonitoredFleet, wait_until
from tests.monitor.monitoring.test_scheduler import _state
from tests.processes import CAMWATCH, camwatch_env, settings_env, stop_processes

# Celery workers share RabbitMQ queues by name: tests that start them run one at a time.
pytestmark = pytest.mark.xdist_group("rabbitmq")


def _env(env: MonitoredFleet, prefix: str) -> dict[str, str]:
    celery = {
        "CAMWATCH_RUNNER_MODE": "celery",
        "CAMWATCH_CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
        "CAMWATCH_CELERY_QUEUE_PREFIX": prefix,
    }
    return camwatch_env(env.settings, {**celery, **settings_env(FAST)})


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_area_workers_run_the_probes_the_scheduler_sends(
    make_monitored_fleet, tmp_path: Path
) -> None:
    # Seven cameras: six in the central cluster's communes, the seventh in the southern one.
    env = make_monitored_fleet(7)
    prefix = f"camwatch-test-{uuid.uuid4().hex[:8]}"
    variables = _env(env, prefix)
    clusters = ["QNG-C-TT", "QNG-C-NAM"]
    # One worker per cluster on the same machine: each must take its own area's probes.
    worker_logs = {c: tmp_path / f"worker-{c}.log" for c in clusters}
    scheduler_log = tmp_path / "scheduler.log"
    workers = [
        subprocess.Popen(
            [CAMWATCH, "worker", "--area", cluster, "--concurrency", "8"],
            env=variables,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for cluster, log in worker_logs.items()
    ]
    scheduler = subprocess.Popen(
        [CAMWATCH, "scheduler"],
        env=variables,
        stdout=scheduler_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        await wait_until(
            lambda: all(_state(env, c.code) == HealthState.UP for c in env.cameras),
            timeout=180,
            what="every camera up through the workers",
        )
        for cluster, log in worker_logs.items():
            text = log.read_text()
            assert "camwatch.probe" in text and f"{prefix}.{cluster}" in text, text[-3000:]
        assert "probes.tcp" not in scheduler_log.read_text()
        env.set_faults(env.cameras[0].code, offline=True)
        await wait_until(
            lambda: _state(env, env.cameras[0].code) == HealthState.DOWN,
            timeout=60,
            what="a camera down through the workers",
        )
    finally:
        stop_processes((scheduler, *workers), [scheduler_log, *worker_logs.values()])
