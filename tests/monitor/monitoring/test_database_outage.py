"""The database goes away (PostgreSQL stopped, SQLite disk full or read-only) while a fleet runs.

What a user would notice: the service stays up, /readyz says why, nothing measured is lost, no
camera is marked down because of the database, and everything resumes without a restart.
PostgreSQL is a cluster of the test's own (the machine's is shared with other tests); SQLite
lives on a small tmpfs the test mounts (the tests run as root in CI, as here).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import (
    Camera,
    CameraStatus,
    HealthState,
    Incident,
    ProbeRecord,
    StateChange,
    utcnow,
)
from monitor.core.settings import Settings
from monitor.monitoring.scheduler import MonitorService
from monitor.simulator import SimulatedFleet, build_fleet
from monitor.simulator.demo import register_areas, register_cameras
from tests.monitor.conftest import FAST, fleet_base_address, wait_until
from tests.peers.own_postgres import OwnPostgres

POSTGRES_OUTAGE_SECONDS = 60.0
SQLITE_OUTAGE_SECONDS = 20.0
CAMERAS = 4


def _settings(url: str, data_dir: Path) -> Settings:
    known = {k: v for k, v in FAST.items() if k in Settings.model_fields}
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=url,
        secret_key="test-secret-key-" + "x" * 40,
        allowed_probe_networks=["127.0.0.0/8"],
        _env_file=None,
        **known,
    )


def _count(db: Database, model: type, *where: object) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _changes(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as s:
        rows = s.execute(select(StateChange.to_state, StateChange.reason, StateChange.at))
        return [(str(state), reason, str(at)) for state, reason, at in rows]


def _states(db: Database) -> list[HealthState]:
    with db.session() as s:
        return list(s.scalars(select(CameraStatus.state)))


async def _watch_outage(
    db: Database,
    settings: Settings,
    *,
    cut: Callable[[], None],
    restore: Callable[[], None],
    outage_seconds: float,
    expect_database: str,
    expect_problem: str,
    restart_into_fault: bool = False,
) -> None:
    """Run a fleet under the service, cut the database, check what users see, restore it.

    With `restart_into_fault` the service is stopped, the fault made, and a new service started
    into it (Linux refuses to remount a file system read-only while files are open for writing).
    """
    cameras = build_fleet(
        CAMERAS, seed=11, base_address=fleet_base_address(), onvif_port=8000, rtsp_count=0,
        faults=False,
    )  # fmt: skip
    fleet = SimulatedFleet(cameras, rtsp=False).start_in_thread()
    service = MonitorService(db, settings)
    try:
        register_areas(db)
        register_cameras(db, settings, cameras)
        # One slow camera (snapshots only: ONVIF's dozen requests would pass the probe timeout)
        # keeps a probe in flight when the database goes away.
        fleet.call(fleet.set_faults(cameras[0].code, slow_seconds=1.5))
        with db.session() as s:
            slow = s.scalar(select(Camera).where(Camera.code == cameras[0].code))
            slow.probe_profile = {"onvif": 0, "snapshot": 1}
        app = create_app(settings, db)
        app.state.monitor = service
        transport = httpx.ASGITransport(app=app)
        service.start()
        async with httpx.AsyncClient(transport=transport, base_url="http://camwatch") as client:
            await wait_until(
                lambda: _states(db) == [HealthState.UP] * CAMERAS, what="every camera up"
            )
            assert (await client.get("/readyz")).status_code == 200
            if restart_into_fault:
                await service.stop()
                stored_at_cut = _count(db, ProbeRecord)
                db.dispose()
                await asyncio.to_thread(cut)
                service = MonitorService(db, settings)
                app.state.monitor = service
                service.start()
            else:
                await wait_until(lambda: len(service._inflight) > 0, what="a probe in flight")
                await asyncio.sleep(0.5)  # past loading its target: the slow snapshot is running
                await asyncio.to_thread(cut)
            ticks_at_cut = service.ticks
            end = time.monotonic() + outage_seconds
            kept, answers = 0, []
            # The service notices at its next write (a tick or a probe's result).
            while (await client.get("/readyz")).status_code == 200:
                kept = max(kept, len(service.runner.unsaved))
                assert time.monotonic() < end, "/readyz never said the database is away"
                await asyncio.sleep(0.1)
            while time.monotonic() < end:
                answers.append(await client.get("/readyz"))
                kept = max(kept, len(service.runner.unsaved))
                await asyncio.sleep(1.0)
            ticks_during = service.ticks - ticks_at_cut
            await asyncio.to_thread(restore)
            back_at = utcnow()
            await wait_until(
                lambda: not service.runner.unsaved and service.runner.storage_problem is None,
                what="kept results stored",
            )
            # Probing resumed by itself: every camera probed again after the database came back.
            await wait_until(
                lambda: _count(db, ProbeRecord, ProbeRecord.at > back_at) >= CAMERAS * 3,
                what="probing resumed",
            )
            ready_after = await client.get("/readyz")
    finally:
        await service.stop()  # lets probes in flight finish and be stored
        fleet.stop_thread()

    # The service stayed up and said why it was not ready.
    assert ticks_during > outage_seconds  # ticks every 0.25 s went on
    assert answers and all(a.status_code == 503 for a in answers)
    assert all(a.json()["database"] == expect_database for a in answers)
    paused = [a.json()["monitoring"] for a in answers if "monitoring" in a.json()]
    assert paused and all(m["state"] == "paused" for m in paused)
    assert {m["problem"] for m in paused} == {expect_problem}
    assert ready_after.status_code == 200, ready_after.text
    # Nothing measured was lost: the probe in flight at the cut was kept, then stored.
    if restart_into_fault:
        assert _count(db, ProbeRecord) == stored_at_cut + service.runner.measured
    else:
        assert kept >= 1
        assert _count(db, ProbeRecord) == service.runner.measured
    # No camera was marked down because the database was away.
    assert _states(db) == [HealthState.UP] * CAMERAS, _changes(db)
    assert _count(db, StateChange, StateChange.to_state == HealthState.DOWN) == 0
    assert _count(db, Incident) == 0
    assert _count(db, Camera) == CAMERAS


async def test_postgres_away_for_a_minute(tmp_path: Path) -> None:
    with OwnPostgres() as pg:
        db = Database(pg.url)
        try:
            upgrade(db.engine)
            await _watch_outage(
                db,
                _settings(pg.url, tmp_path / "data"),
                cut=pg.stop,
                restore=pg.start,
                outage_seconds=POSTGRES_OUTAGE_SECONDS,
                expect_database="unreachable",
                expect_problem="database unreachable",
            )
        finally:
            db.dispose()


@contextlib.contextmanager
def _tmpfs(size_mb: int) -> Iterator[Path]:
    """A small tmpfs of the test's own (root only; CI and this machine run tests as root)."""
    path = Path(tempfile.mkdtemp(prefix="camwatch-tmpfs-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path)],
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)
        path.rmdir()


def _fill(path: Path) -> None:
    """Write to `path` until the file system is full."""
    block = os.urandom(1 << 20)
    with open(path, "wb", buffering=0) as filler:
        with contextlib.suppress(OSError):
            while True:
                filler.write(block)
        # The last partial blocks too, so not even a WAL page fits.
        with contextlib.suppress(OSError):
            while True:
                filler.write(block[:4096])


def _remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True, capture_output=True)


@pytest.mark.parametrize("fault", ["disk full", "read-only"])
async def test_sqlite_data_dir_full_or_read_only(fault: str) -> None:
    with _tmpfs(64) as mount:
        url = f"sqlite:///{mount / 'camwatch.db'}"
        db = Database(url)
        filler = mount / "filler"
        try:
            upgrade(db.engine)
            if fault == "disk full":
                cut, restore = (lambda: _fill(filler)), filler.unlink
            else:
                cut, restore = (lambda: _remount(mount, "ro")), (lambda: _remount(mount, "rw"))
            await _watch_outage(
                db,
                _settings(url, mount / "data"),
                cut=cut,
                restore=restore,
                outage_seconds=SQLITE_OUTAGE_SECONDS,
                # A full disk still reads; a read-only WAL database cannot even be opened anew.
                expect_database="ok" if fault == "disk full" else "unreachable",
                expect_problem=fault,
                restart_into_fault=fault == "read-only",
            )
        finally:
            db.dispose()
