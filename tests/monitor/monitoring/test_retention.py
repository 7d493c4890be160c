"""Hourly roll-ups and the clean-up of raw results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from monitor.core.db import Database
from monitor.core.models import Camera, HourlyRollup, ProbeRecord
from monitor.core.settings import Settings
from monitor.monitoring.retention import clean_up, rollup
from monitor.registry.cameras import CameraRules
from tests.registry_data import seed_registry

NOW = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


def test_rollups_keep_availability_and_purge_drops_old_raw_results(
    database: Database, settings: Settings
) -> None:
    seed_registry(database, CameraRules.from_settings(settings))
    with database.session() as s:
        camera_id = s.scalar(select(Camera.id).where(Camera.code == "ST-0001"))
        hour = NOW.replace(minute=0) - timedelta(hours=1)
        for minute in range(0, 60, 5):  # 12 probes, 3 of them offline
            faults = ["offline"] if minute in (10, 15, 20) else []
            s.add(
                ProbeRecord(
                    camera_id=camera_id,
                    kind="tcp",
                    at=hour + timedelta(minutes=minute),
                    ok=not faults,
                    faults=faults,
                    metrics={"tcp_latency_seconds": 0.01 * (minute % 3 + 1)},
                )
            )
        s.add(
            ProbeRecord(
                camera_id=camera_id,
                kind="tcp",
                at=NOW - timedelta(days=40),
                ok=True,
                faults=[],
                metrics={},
            )
        )
    with database.session() as s:
        hours, purged = clean_up(s, NOW, keep_days=30)
    assert (hours, purged) == (1, 1)
    with database.session() as s:
        row = s.get(HourlyRollup, (camera_id, hour))
        assert row.probes == 12 and row.successes == 9 and row.availability == 0.75
        assert abs(row.metrics["tcp_latency_seconds"] - 0.02) < 1e-9
        assert s.scalar(select(func.count()).select_from(ProbeRecord)) == 12
    with database.session() as s:  # recomputing the same hour replaces, never double-counts
        rollup(s, hour, hour + timedelta(hours=1))
    with database.session() as s:
        assert s.get(HourlyRollup, (camera_id, hour)).probes == 12
