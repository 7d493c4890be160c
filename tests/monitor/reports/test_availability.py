"""Availability report for October 2026: cameras, communes, clusters, repair time."""

from __future__ import annotations

import pytest

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import InvalidData
from monitor.core.models import User
from monitor.reports.availability import availability_report, parse_period
from tests.monitor.reports.outage_data import NOW, OutageSeed, at
from tests.registry_data import Seed

ADMIN = Actor.system("test")
OCTOBER_HOURS = 31 * 24


def test_periods() -> None:
    october = parse_period("2026-10")
    q4 = parse_period("2026-Q4")
    # Vietnamese calendar months: local midnight is 17:00 UTC the day before.
    assert (october.start, october.end) == (at(30, 17, month=9), at(31, 17))
    assert (q4.start, q4.end) == (at(30, 17, month=9), at(31, 17, month=12))
    for bad in ("2026-13", "2026-Q5", "October"):
        with pytest.raises(InvalidData):
            parse_period(bad)


def test_october_per_camera_commune_cluster_and_crew(
    database: Database, outages: OutageSeed
) -> None:
    with database.session() as s:
        report = availability_report(s, ADMIN, parse_period("2026-10"), now=NOW)
    cams = {c.code: c for c in report.cameras}
    assert cams["ST-0001"].outages == 2
    assert cams["ST-0001"].unavailable_seconds == 5 * 3600
    assert cams["ST-0001"].availability == pytest.approx(1 - 5 / OCTOBER_HOURS)
    assert cams["ST-0002"].unavailable_seconds == 25 * 3600
    # Still down at the end of the month (Vietnam time), which is 17:00 UTC on the 31st.
    assert cams["BS-0001"].unavailable_seconds == (at(31, 17) - at(10, 10)).total_seconds()
    assert [c.code for c in report.worst] == ["BS-0001", "ST-0002", "ST-0001"]
    clusters = {d.name: d for d in report.clusters}
    assert clusters["Huyện Sơn Tịnh"].cameras == 2
    assert clusters["Huyện Sơn Tịnh"].availability == pytest.approx(1 - 30 / (2 * OCTOBER_HOURS))
    assert [c.name for c in report.communes] == ["Xã Bình Thuận", "Xã Tịnh Phong"]
    assert [(c.crew, c.tickets, c.mean_repair_seconds) for c in report.crews] == [
        ("Tổ sửa chữa Sơn Tịnh", 1, 3 * 3600)
    ]


def test_a_quiet_month_and_a_crew_users_scope(
    database: Database, seed: Seed, outages: OutageSeed
) -> None:
    with database.session() as s:
        crew = Actor.for_user(s, s.get(User, seed.user_ids["crew"]))
        report = availability_report(s, crew, parse_period("2026-09"), now=NOW)
        one_cluster = availability_report(s, ADMIN, parse_period("2026-Q4"), area="BS", now=NOW)
    assert sorted(c.code for c in report.cameras) == ["ST-0001", "ST-0002"]
    assert all(c.availability == 1.0 for c in report.cameras)
    assert report.worst == [] and report.crews == []
    assert [c.code for c in one_cluster.cameras] == ["BS-0001"]
    # The quarter is counted from its start (Vietnam time) up to now, not to its end.
    assert one_cluster.cameras[0].monitored_seconds == (NOW - at(30, 17, month=9)).total_seconds()
