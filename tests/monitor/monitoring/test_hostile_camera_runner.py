"""Through the runner: what a hostile camera announces never becomes a fetch or a stored blob."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from monitor.core.db import Database
from monitor.core.models import Area, Camera, CameraStatus, ProbeRecord
from monitor.core.settings import Settings
from monitor.monitoring.runner import Runner
from monitor.monitoring.schedule import Job
from monitor.simulator.demo import register_areas
from probes.result import IDENTITY_FIELD_MAX_CHARS
from tests.peers.hostile_onvif import CountingListener, HostileOnvifCamera
from tests.probes.hostile_addresses import camera_address, forbidden_address


def _camera(db: Database, host: str, port: int) -> int:
    register_areas(db)
    with db.session() as session:
        area = session.scalars(select(Area).order_by(Area.id.desc())).first()
        camera = Camera(code="HOSTILE-1", name="Hostile", area_id=area.id, onvif_host=host)
        camera.onvif_port = port
        session.add(camera)
        session.flush()
        return camera.id


async def _run(runner: Runner, camera_id: int, kind: str) -> None:
    await runner.run_one(Job(camera_id, kind, datetime.now(UTC)))


async def test_announced_snapshot_outside_never_becomes_a_thumbnail(
    database: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"allowed_probe_networks": ["127.21.0.0/16"]})
    with (
        CountingListener(forbidden_address()) as forbidden,
        HostileOnvifCamera("uris_outside", host=camera_address(), elsewhere=forbidden.url) as cam,
    ):
        camera_id = _camera(database, cam.host, cam.port)
        runner = Runner(database, settings)
        try:
            await _run(runner, camera_id, "onvif")
            # A row stored before this check existed: the runner must not use it either.
            with database.session() as session:
                status = session.get(CameraStatus, camera_id)
                identity = dict(status.identity)
                status.identity = {**identity, "snapshot_uri": forbidden.url + "/internal.jpg"}
            await _run(runner, camera_id, "snapshot")
            await _run(runner, camera_id, "rtsp")
        finally:
            await runner.close()

    assert forbidden.connections == 0
    assert "snapshot_uri" not in identity and "stream_uri" not in identity
    with database.session() as session:
        status = session.get(CameraStatus, camera_id)
        assert status.last_good_jpeg is None and status.last_fault_jpeg is None
        kinds = dict(session.execute(select(ProbeRecord.kind, ProbeRecord.ok)).all())
    assert kinds["onvif"] is True
    assert kinds["snapshot"] is False and kinds["rtsp"] is False


async def test_300_mb_identity_is_not_stored(database: Database, settings: Settings) -> None:
    settings = settings.model_copy(update={"allowed_probe_networks": ["127.21.0.0/16"]})
    with (
        CountingListener(forbidden_address()) as forbidden,
        HostileOnvifCamera("huge", host=camera_address(), elsewhere=forbidden.url) as cam,
    ):
        camera_id = _camera(database, cam.host, cam.port)
        runner = Runner(database, settings)
        try:
            await _run(runner, camera_id, "onvif")
        finally:
            await runner.close()

    with database.session() as session:
        status = session.get(CameraStatus, camera_id)
        record = session.scalars(select(ProbeRecord)).one()
        camera = session.get(Camera, camera_id)
    assert record.ok is False and "byte cap" in record.reason
    assert all(len(str(v)) <= IDENTITY_FIELD_MAX_CHARS for v in (status.identity or {}).values())
    assert len(camera.model) < 200 and len(record.reason) < 2000
