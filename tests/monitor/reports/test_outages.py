"""Outage list: filters, scope, groups with members, sorting, paging (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import InvalidData
from monitor.core.models import User
from monitor.reports.outages import OutageFilter, list_outages
from tests.monitor.reports.outage_data import NOW, OutageSeed, at
from tests.registry_data import Seed

ADMIN = Actor.system("test")


def codes(rows) -> list[str]:
    return [r.camera_code or r.group_key for r in rows]


def test_top_level_list_shows_groups_with_members_and_tickets(
    database: Database, outages: OutageSeed
) -> None:
    with database.session() as s:
        rows, total = list_outages(s, ADMIN, OutageFilter(), now=NOW)
    assert total == 4
    assert codes(rows) == ["commune:ST-TP", "BS-0001", "ST-0002", "ST-0001"]  # newest first
    group = rows[0]
    assert [m.camera_code for m in group.members] == ["ST-0001", "ST-0002"]
    assert group.ticket_state == "assigned"
    assert group.members[0].ticket_state == "assigned"  # a member shows its group's ticket
    assert group.commune == "Xã Tịnh Phong" and group.cluster == "Huyện Sơn Tịnh"
    ongoing = rows[1]
    assert ongoing.ended_at is None
    assert ongoing.duration_seconds == (NOW - at(10, 10)).total_seconds()
    assert ongoing.ticket_state == "open"
    assert rows[3].duration_seconds == 4 * 3600
    assert rows[3].commune == "Xã Tịnh Phong"


def test_filters_by_cluster_time_fault_and_state(database: Database, outages: OutageSeed) -> None:
    with database.session() as s:
        by_cluster, _ = list_outages(s, ADMIN, OutageFilter(cluster="BS"), now=NOW)
        in_window, _ = list_outages(s, ADMIN, OutageFilter(start=at(4), end=at(11)), now=NOW)
        blur, _ = list_outages(s, ADMIN, OutageFilter(fault="blur"), now=NOW)
        still_open, _ = list_outages(s, ADMIN, OutageFilter(state="open"), now=NOW)
        commune, _ = list_outages(s, ADMIN, OutageFilter(commune="ST-TP", state="closed"), now=NOW)
    assert codes(by_cluster) == ["BS-0001"]
    assert codes(in_window) == ["BS-0001", "ST-0002"]
    assert codes(blur) == ["ST-0002"]
    assert codes(still_open) == ["BS-0001"]
    assert codes(commune) == ["commune:ST-TP", "ST-0002", "ST-0001"]


def test_crew_sees_only_its_areas(database: Database, seed: Seed, outages: OutageSeed) -> None:
    with database.session() as s:
        crew = Actor.for_user(s, s.get(User, seed.user_ids["crew"]))
        rows, total = list_outages(s, crew, OutageFilter(), now=NOW)
        nothing, _ = list_outages(s, crew, OutageFilter(cluster="BS"), now=NOW)
    assert total == 3
    assert "BS-0001" not in codes(rows)
    assert nothing == []


def test_sorting_and_paging(database: Database, outages: OutageSeed) -> None:
    with database.session() as s:
        longest, _ = list_outages(s, ADMIN, OutageFilter(), sort="duration", now=NOW)
        by_camera, _ = list_outages(
            s, ADMIN, OutageFilter(), sort="camera", descending=False, now=NOW
        )
        page2, total = list_outages(s, ADMIN, OutageFilter(), limit=3, offset=3, now=NOW)
    assert codes(longest) == ["BS-0001", "ST-0002", "ST-0001", "commune:ST-TP"]
    assert codes(by_camera) == ["BS-0001", "ST-0001", "ST-0002", "commune:ST-TP"]
    assert total == 4 and codes(page2) == ["ST-0001"]


def test_bad_filters_are_refused(database: Database, outages: OutageSeed) -> None:
    with database.session() as s:
        for flt in (
            OutageFilter(fault="smoke"),
            OutageFilter(state="maybe"),
            OutageFilter(cluster="ST-TP"),
            OutageFilter(start=at(5), end=at(4)),
        ):
            with pytest.raises(InvalidData):
                list_outages(s, ADMIN, flt, now=NOW)
        with pytest.raises(InvalidData):
            list_outages(s, ADMIN, OutageFilter(), sort="colour")
