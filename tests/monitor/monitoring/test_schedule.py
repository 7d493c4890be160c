"""Which probes are due: spread by jitter, leased once, and not replayed after a pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from monitor.core.db import Database
from monitor.core.models import ProbeSchedule, as_utc
from monitor.core.settings import Settings
from monitor.monitoring.schedule import (
    FIRST_PROBES_PER_SECOND,
    complete,
    first_due,
    first_round_spread,
    jitter,
    lease_due,
    next_slot,
    sync_schedule,
)
from monitor.registry.cameras import CameraRules
from tests.registry_data import seed_registry

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def test_a_long_pause_gives_each_probe_once_not_a_storm(
    database: Database, settings: Settings
) -> None:
    seed_registry(database, CameraRules.from_settings(settings))
    with database.session() as s:
        added = sync_schedule(s, settings, T0)
    assert added == 6  # three cameras: tcp and onvif each (no stream or snapshot address)
    later = T0 + timedelta(hours=3)  # the scheduler was stopped for three hours
    with database.session() as s:
        jobs = lease_due(s, later, limit=100)
    assert sorted((j.camera_id, j.kind) for j in jobs) == sorted(
        {(j.camera_id, j.kind) for j in jobs}
    )
    assert len(jobs) == 6
    with database.session() as s:
        assert lease_due(s, later, limit=100) == []  # leased: not handed out twice
        for job in jobs:
            complete(s, job, settings, later)
    with database.session() as s:
        rows = s.scalars(select(ProbeSchedule)).all()
        due = {(r.camera_id, r.kind): as_utc(r.next_due_at) for r in rows}
        assert all(r.leased_until is None for r in rows)
        assert s.scalar(select(func.count()).select_from(ProbeSchedule)) == 6
    for (camera, kind), when in due.items():
        interval = (
            settings.default_tcp_interval_seconds
            if kind == "tcp"
            else settings.default_onvif_interval_seconds
        )
        # From now, missed runs dropped: on the probe's own slot, half to one and a half
        # intervals after this run.
        assert when == next_slot(camera, kind, interval, later)
        gap = (when - later).total_seconds()
        assert interval / 2 <= gap < 1.5 * interval


def test_probes_run_together_after_an_outage_come_back_spread_over_their_interval() -> None:
    # 2,000 cameras' ONVIF checks all ran within one minute after the scheduler was away.
    burst = [T0 + timedelta(seconds=i * 0.03) for i in range(2000)]
    nxt = [next_slot(i, "onvif", 900, started) for i, started in enumerate(burst, start=1)]
    offsets = sorted((n - T0).total_seconds() for n in nxt)
    # Not the same one-minute burst 900 s later: every tenth of the interval gets its share.
    tenths = [sum(1 for o in offsets if 450 + k * 90 <= o < 450 + (k + 1) * 90) for k in range(10)]
    assert min(tenths) > 120, tenths


def test_a_probe_on_time_is_next_due_exactly_one_interval_later() -> None:
    slot = next_slot(7, "tcp", 60, T0)  # wherever its slot is, a probe that ran on it ...
    assert next_slot(7, "tcp", 60, slot) == slot + timedelta(seconds=60)
    # ... and a probe that ran late comes back to its slot, not one interval after it ran.
    assert next_slot(7, "tcp", 60, slot + timedelta(seconds=20)) == slot + timedelta(seconds=60)


def test_jitter_is_stable_and_spreads_within_the_interval() -> None:
    offsets = [jitter(camera_id, "tcp", 60) for camera_id in range(1, 201)]
    assert offsets == [jitter(camera_id, "tcp", 60) for camera_id in range(1, 201)]
    assert all(0 <= o < 60 for o in offsets)
    assert len({int(o // 10) for o in offsets}) == 6  # every tenth of the minute is used


def test_the_demo_fleet_starts_within_a_minute_and_a_province_at_its_steady_rate() -> None:
    assert first_round_spread(60, 900) == 60  # the demo: first pictures within a minute
    assert first_round_spread(60, 30) == 30  # never later than one interval
    # 10,000 cameras' ONVIF probes every 900 s: the first round takes the whole interval, so
    # every later round comes at 10,000 / 900 = 11 a second, not 20 a second for 500 s and
    # then nothing (two kinds bunched together overran the writer).
    spread = first_round_spread(10_000, 900)
    assert spread == 900 and 10_000 / spread <= FIRST_PROBES_PER_SECOND
    assert first_round_spread(10_000, 60) == 60


def test_a_province_first_round_is_on_each_probes_own_slot() -> None:
    # 10,000 new cameras' ONVIF checks: spread over the whole interval, each on its own slot, so
    # a probe run on time is due again exactly one interval later (no reshuffle after round one).
    start = T0 + timedelta(seconds=417)  # any time, not one on a round quarter-hour
    firsts = [first_due(i, "onvif", 900, 900, start) for i in range(1, 10_001)]
    assert all(start <= f < start + timedelta(seconds=900) for f in firsts)
    assert all(
        next_slot(i, "onvif", 900, f) == f + timedelta(seconds=900)
        for i, f in enumerate(firsts, start=1)
    )
    tenths = [sum(1 for f in firsts if (f - start).total_seconds() // 90 == k) for k in range(10)]
    assert min(tenths) > 900, tenths  # and spread evenly: every tenth of the interval its share


def test_the_demo_fleets_first_probes_come_within_the_minute() -> None:
    firsts = [first_due(i, "snapshot", 900, 60, T0) for i in range(1, 61)]
    assert all(T0 <= f < T0 + timedelta(seconds=60) for f in firsts)
