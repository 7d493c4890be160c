"""A registered simulated fleet, a crew with a real webhook receiver, fast monitoring settings."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry import crews
from monitor.registry.schemas import CrewCreate
from monitor.simulator import SimCamera, SimulatedFleet, build_fleet
from monitor.simulator.demo import register_areas, register_cameras
from tests.peers.webhook_receiver import WebhookReceiver
from tests.processes import CAMWATCH, camwatch_env

_counter = itertools.count()

FAST = {
    "default_tcp_interval_seconds": 1,
    "default_onvif_interval_seconds": 4,
    "default_snapshot_interval_seconds": 2,
    "default_rtsp_interval_seconds": 4,
    "scheduler_tick_seconds": 0.25,
    "down_after_failures": 2,
    "up_after_successes": 2,
    "probe_timeout_seconds": 8.0,
    "ticket_after_down_seconds": 0,
    "incident_reopen_seconds": 120,
    "group_window_seconds": 120,
    "notify_retry_seconds": [0.2, 0.5],
}


def fleet_base_address() -> str:
    """A 127.x.y.1 address block of its own for this test (other suites use other octets)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:]
    second = 14 + (int(worker) if worker.isdigit() else 0) % 2
    return f"127.{second}.{(os.getpid() + next(_counter)) % 254 + 1}.1"


@dataclass
class MonitoredFleet:
    """What a monitoring test works with."""

    db: Database
    settings: Settings
    fleet: SimulatedFleet
    cameras: list[SimCamera]
    hook: WebhookReceiver
    crew_id: int

    def set_faults(self, code: str, **changes: Any) -> None:
        """Change a simulated camera's faults (e.g. offline=True) while the test runs."""
        self.fleet.call(self.fleet.set_faults(code, **changes))


async def wait_until(
    predicate: Callable[[], Any], timeout: float = 40.0, what: str = "condition"
) -> Any:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    """Test settings with intervals, thresholds and retries in (fractions of) seconds."""
    known = {k: v for k, v in FAST.items() if k in Settings.model_fields}
    return settings.model_copy(update=known)


@pytest.fixture
def make_monitored_fleet(
    database: Database, fast_settings: Settings
) -> Iterator[Callable[..., MonitoredFleet]]:
    """Start `count` simulated cameras, register them, and one crew for all demo clusters."""
    started: list[tuple[SimulatedFleet, WebhookReceiver]] = []

    def make(
        count: int = 6, *, upstream: str | None = None, base_address: str | None = None
    ) -> MonitoredFleet:
        cameras = build_fleet(
            count,
            seed=3,
            base_address=base_address or fleet_base_address(),
            onvif_port=8000,
            rtsp_count=0,
            faults=False,
        )
        for cam in cameras:
            if upstream:
                cam.upstream_device = upstream
        fleet = SimulatedFleet(cameras, rtsp=False).start_in_thread()
        hook = WebhookReceiver().__enter__()
        started.append((fleet, hook))
        register_areas(database)
        register_cameras(database, fast_settings, cameras)
        with database.session() as s:
            crew = crews.create_crew(
                s,
                Actor.system("test"),
                CrewCreate(
                    name="Tổ sửa chữa",
                    webhook_url=hook.url,
                    area_codes=["QNG-C-TT", "QNG-C-NAM"],
                ),
            )
            crew_id = crew.id
        return MonitoredFleet(database, fast_settings, fleet, cameras, hook, crew_id)

    yield make
    for fleet, hook in started:
        fleet.stop_thread()
        hook.__exit__(None, None, None)


def start_scheduler(
    env: MonitoredFleet, log: Path, settings_env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """A real `camwatch scheduler` process on the fleet's database, logging to `log`."""
    return subprocess.Popen(
        [CAMWATCH, "scheduler"],
        env=camwatch_env(env.settings, settings_env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
