"""Fixtures for the simulated-fleet tests: a private /24 of loopback addresses per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable

import pytest

from monitor.simulator import SimCamera, SimulatedFleet, build_fleet

_counter = itertools.count()


def _worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker[2:].isdigit() else 0


@pytest.fixture
def base_address() -> str:
    """First address of a 127.x.y.0/24 no other test (or xdist worker) of this suite uses."""
    # Second octets 2..13 are left alone by the other peers of the suite (they use 16 and up).
    second = 2 + _worker_number() % 12
    third = (os.getpid() + next(_counter)) % 254 + 1
    return f"127.{second}.{third}.1"


@pytest.fixture
def make_fleet(base_address: str) -> Callable[..., list[SimCamera]]:
    """build_fleet on this test's addresses: free ports (port 0), no RTSP, no faults by default."""

    def make(count: int, **kwargs: object) -> list[SimCamera]:
        kwargs.setdefault("onvif_port", 0)
        kwargs.setdefault("rtsp_port", 0)
        kwargs.setdefault("rtsp_count", 0)
        kwargs.setdefault("faults", False)
        return build_fleet(count, base_address=base_address, **kwargs)

    return make


@pytest.fixture
async def one_camera(make_fleet: Callable[..., list[SimCamera]]) -> AsyncIterator[SimulatedFleet]:
    """A running fleet of one healthy snapshot-only camera."""
    async with SimulatedFleet(make_fleet(1)) as fleet:
        yield fleet
