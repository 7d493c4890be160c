"""Celery mode with the broker away: no probe lost or doubled, the scheduler catches up.

The real RabbitMQ is shared with other tests, so the broker "goes away" behind a TCP proxy on
loopback that the test cuts (every connection closed, new ones refused) and restores.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.core.models import Camera, HealthState, ProbeRecord, StateChange, utcnow
from tests.monitor.conftest import MonitoredFleet, wait_until
from tests.monitor.monitoring.test_distributed import CAMWATCH, _env
from tests.monitor.monitoring.test_scheduler import _state
from tests.peers.tcp_proxy import TcpProxy
from tests.processes import stop_processes

# Celery workers share RabbitMQ queues by name: tests that start them run one at a time.
pytestmark = pytest.mark.xdist_group("rabbitmq")

CUT_SECONDS = 25.0
KINDS = ("tcp", "onvif", "snapshot")


def _records(env: MonitoredFleet) -> list[tuple[int, str, float]]:
    """(camera, kind, due time) of every stored probe (due = started - lag)."""
    with env.db.session() as s:
        rows = s.execute(
            select(ProbeRecord.camera_id, ProbeRecord.kind, ProbeRecord.at, ProbeRecord.lag_seconds)
        )
        return [(c, k, round(at.timestamp() - lag, 3)) for c, k, at, lag in rows]


def _fresh(env: MonitoredFleet, since: object) -> set[tuple[int, str]]:
    with env.db.session() as s:
        return set(
            s.execute(
                select(ProbeRecord.camera_id, ProbeRecord.kind)
                .where(ProbeRecord.at > since)
                .distinct()
            ).all()
        )


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_broker_cut_and_restored(make_monitored_fleet, tmp_path: Path) -> None:
    env = make_monitored_fleet(4)
    prefix = f"camwatch-test-{uuid.uuid4().hex[:8]}"
    with TcpProxy("127.0.0.1", 5672) as proxy:
        variables = {
            **_env(env, prefix),
            "CAMWATCH_CELERY_BROKER_URL": f"amqp://guest:guest@{proxy.host}:{proxy.port}//",
        }
        logs = {name: tmp_path / f"{name}.log" for name in ("worker", "scheduler")}
        worker = subprocess.Popen(
            [CAMWATCH, "worker", "--concurrency", "8"],
            env=variables,
            stdout=logs["worker"].open("wb"),
            stderr=subprocess.STDOUT,
        )
        scheduler = subprocess.Popen(
            [CAMWATCH, "scheduler"],
            env=variables,
            stdout=logs["scheduler"].open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            await wait_until(
                lambda: all(_state(env, c.code) == HealthState.UP for c in env.cameras),
                timeout=90,
                what="every camera up through the workers",
            )
            await asyncio.to_thread(proxy.cut)
            await asyncio.sleep(CUT_SECONDS)
            alive_during = worker.poll() is None and scheduler.poll() is None
            await asyncio.to_thread(proxy.restore)
            back_at = utcnow()
            # The scheduler catches up: every camera probed again, every kind, well within the
            # five-minute lease a job left leased would have waited.
            wanted = {(c, k) for c in _camera_ids(env) for k in KINDS}
            await wait_until(
                lambda: wanted <= _fresh(env, back_at), timeout=120, what="probing caught up"
            )
            await asyncio.sleep(3.0)  # let redelivered copies, if any, arrive
        finally:
            stop_processes((scheduler, worker), logs.values())

    assert alive_during, "a camwatch process died while the broker was away"
    assert "broker unreachable" in logs["scheduler"].read_text()
    # No probe doubled: each due probe of a camera stored once.
    doubled = [key for key, n in Counter(_records(env)).items() if n > 1]
    assert doubled == []
    # No camera marked down because the broker was away.
    assert all(_state(env, c.code) == HealthState.UP for c in env.cameras)
    with env.db.session() as s:
        downs = s.scalar(
            select(func.count())
            .select_from(StateChange)
            .where(StateChange.to_state == HealthState.DOWN)
        )
    assert downs == 0


def _camera_ids(env: MonitoredFleet) -> list[int]:
    with env.db.session() as s:
        return list(s.scalars(select(Camera.id)))
