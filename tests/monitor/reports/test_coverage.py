"""Coverage look-up: cameras within a radius and whether they worked then (both backends)."""

from __future__ import annotations

import pytest

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import InvalidData
from monitor.core.models import User
from monitor.reports.common import covered_seconds
from monitor.reports.coverage import haversine_m, look_up, place_of_camera
from tests.monitor.reports.outage_data import NOW, PLACES, OutageSeed, at
from tests.registry_data import Seed

ADMIN = Actor.system("test")
ST1 = PLACES["ST-0001"]


def by_code(answer) -> dict[str, object]:
    return {c.code: c for c in answer.cameras}


def test_haversine_matches_a_known_distance() -> None:
    # 0.002° of latitude is 222.4 m anywhere.
    assert haversine_m(15.15, 108.78, 15.152, 108.78) == pytest.approx(222.4, abs=0.5)


def test_radius_picks_the_near_cameras_nearest_first(
    database: Database, outages: OutageSeed
) -> None:
    with database.session() as s:
        small = look_up(s, ADMIN, lat=ST1[0], lon=ST1[1], radius_m=100, start=at(15), now=NOW)
        medium = look_up(s, ADMIN, lat=ST1[0], lon=ST1[1], radius_m=300, start=at(15), now=NOW)
        large = look_up(s, ADMIN, lat=ST1[0], lon=ST1[1], radius_m=10_000, start=at(15), now=NOW)
    assert [c.code for c in small.cameras] == ["ST-0001"]
    assert [c.code for c in medium.cameras] == ["ST-0001", "ST-0002"]
    assert [c.code for c in large.cameras] == ["ST-0001", "ST-0002", "BS-0001"]
    assert medium.cameras[1].distance_m == pytest.approx(222.4, abs=0.5)


def test_status_at_a_moment(database: Database, outages: OutageSeed) -> None:
    with database.session() as s:
        during_group = look_up(
            s,
            ADMIN,
            lat=ST1[0],
            lon=ST1[1],
            radius_m=10_000,
            start=at(20, 6).replace(minute=30),
            now=NOW,
        )
        during_blur = look_up(
            s, ADMIN, lat=ST1[0], lon=ST1[1], radius_m=10_000, start=at(5, 12), now=NOW
        )
        before_registration = look_up(
            s,
            ADMIN,
            lat=ST1[0],
            lon=ST1[1],
            radius_m=10_000,
            start=at(1, 0, month=1).replace(year=2025),
            now=NOW,
        )
    group = by_code(during_group)
    assert group["ST-0001"].status == "down" and group["ST-0002"].status == "down"
    assert group["BS-0001"].status == "down"  # its outage since the 10th is still open
    blur = by_code(during_blur)
    assert blur["ST-0002"].status == "degraded" and blur["ST-0002"].faults == ["blur"]
    assert blur["ST-0001"].status == "working" and blur["BS-0001"].status == "working"
    assert {c.status for c in before_registration.cameras} == {"not_monitored"}


def test_status_over_a_range_says_for_how_long(database: Database, outages: OutageSeed) -> None:
    with database.session() as s:
        day1 = look_up(
            s, ADMIN, lat=ST1[0], lon=ST1[1], radius_m=10_000, start=at(1), end=at(2), now=NOW
        )
        inside = look_up(
            s,
            ADMIN,
            lat=ST1[0],
            lon=ST1[1],
            radius_m=10_000,
            start=at(1, 9),
            end=at(1, 11),
            now=NOW,
        )
    cams = by_code(day1)
    assert cams["ST-0001"].status == "partial"
    assert cams["ST-0001"].down_seconds == 4 * 3600
    assert cams["ST-0002"].status == "working" and cams["ST-0002"].down_seconds == 0
    assert by_code(inside)["ST-0001"].status == "down"


def test_crew_sees_only_its_districts_and_camera_as_place(
    database: Database, seed: Seed, outages: OutageSeed
) -> None:
    with database.session() as s:
        crew = Actor.for_user(s, s.get(User, seed.user_ids["crew"]))
        lat, lon = place_of_camera(s, ADMIN, "ST-0002")
        answer = look_up(s, crew, lat=lat, lon=lon, radius_m=10_000, start=at(15), now=NOW)
    assert (lat, lon) == PLACES["ST-0002"]
    assert [c.code for c in answer.cameras] == ["ST-0002", "ST-0001"]


def test_bad_questions_are_refused(database: Database, outages: OutageSeed) -> None:
    with database.session() as s:
        for kwargs in (
            {"lat": 95.0},
            {"radius_m": 0},
            {"radius_m": 50_000},
            {"end": at(1, 0, month=9)},
        ):
            args = {"lat": ST1[0], "lon": ST1[1], "radius_m": 500, "start": at(1)} | kwargs
            with pytest.raises(InvalidData):
                look_up(s, ADMIN, **args)


def test_covered_seconds_merges_overlaps() -> None:
    spans = [(at(1, 1), at(1, 3)), (at(1, 2), at(1, 4)), (at(1, 6), None)]
    assert covered_seconds(spans, at(1), at(1, 8)) == (3 + 2) * 3600


def test_coverage_and_the_report_count_the_same_unavailable_time(
    database: Database, outages: OutageSeed
) -> None:
    from monitor.reports.availability import availability_report, parse_period

    october = parse_period("2026-10")
    with database.session() as s:
        answer = look_up(
            s,
            ADMIN,
            lat=ST1[0],
            lon=ST1[1],
            radius_m=20_000,
            start=october.start,
            end=october.end,
            now=NOW,
        )
        report = availability_report(s, ADMIN, october, now=NOW)
    reported = {c.code: c.unavailable_seconds for c in report.cameras}
    assert answer.cameras
    for camera in answer.cameras:
        assert camera.unavailable_seconds == reported[camera.code], camera.code
    # ST-0002's blurred day is unavailable time in both, not "0 % down" in the look-up.
    assert by_code(answer)["ST-0002"].unavailable_seconds == 25 * 3600
