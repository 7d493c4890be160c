"""Two-tier areas on both databases: a province's 96 units and villages in one file, all-or-nothing
checks, a merger that keeps history readable, and tickets routed to the most specific crew."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import ImportRejected
from monitor.core.models import (
    Area,
    AreaLevel,
    Camera,
    Role,
    Ticket,
    TicketEvent,
    TicketState,
    User,
)
from monitor.core.settings import Settings
from monitor.outages.tickets import list_tickets
from monitor.registry import areas, crews
from monitor.registry.area_import import export_areas, import_areas
from monitor.registry.schemas import AreaCreate, CrewCreate, CrewUpdate
from monitor.registry.sheets import read_table
from monitor.simulator.spec import DEMO_AREAS
from tests.registry_data import Seed, seed_ticket, to_csv

ADMIN = Actor.system("test")
VI_KIND = {
    "province": "Tỉnh",
    "cluster": "Cụm",
    "commune": "Xã",
    "ward": "Phường",
    "special_zone": "Đặc khu",
    "village": "Thôn",
    "residential_group": "Tổ dân phố",
}


def _province_file() -> bytes:
    """The demo province as a province office would type it: Vietnamese headers and kinds."""
    header = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên"]
    rows = [[a.code, a.name, VI_KIND[a.kind], a.parent_code or ""] for a in DEMO_AREAS]
    return to_csv(header, rows)


def test_a_province_of_96_units_and_its_villages_imports_from_one_file(
    database: Database,
) -> None:
    with database.session() as s:
        summary = import_areas(s, ADMIN, read_table(_province_file(), "quang-ngai.csv"))
    assert summary.created == len(DEMO_AREAS) and summary.updated == 0
    with database.session() as s:
        communes = list(s.scalars(select(Area).where(Area.level == AreaLevel.COMMUNE)))
        assert len(communes) == 96
        assert Counter(a.kind for a in communes) == {"commune": 86, "ward": 9, "special_zone": 1}
        ly_son = areas.get_area(s, "QNG-LYSON")
        assert ly_son.kind == "special_zone" and ly_son.parent.code == "51"
        groups = list(
            s.scalars(select(Area).where(Area.parent_id == areas.get_area(s, "QNG-CAMTHANH").id))
        )
        assert {g.kind for g in groups} == {"residential_group"} and len(groups) == 3
        village = areas.get_area(s, "QNG-TINHKHE-2")
        cluster = areas.get_area(s, "QNG-C-TT")
        assert village.path.startswith(cluster.path)  # province → cluster → commune → village
        xlsx = export_areas(s, ADMIN, "xlsx", language="en")
    with database.session() as s:
        again = import_areas(s, ADMIN, read_table(xlsx, "areas.xlsx"))
    assert again.unchanged == len(DEMO_AREAS) and again.created == again.updated == 0


def test_a_file_with_mistakes_writes_nothing_and_names_every_problem(database: Database) -> None:
    rows = [
        ["51", "Tỉnh Quảng Ngãi", "tỉnh", "", "", ""],
        ["X1", "Xã Một", "xã", "51", "", ""],
        ["T1", "Thôn lạc", "thôn", "51", "", ""],  # a village directly under the province
        ["X2", "Phường Hai", "phường", "NOWHERE", "", ""],  # unknown parent
        ["X1", "Xã Một lần nữa", "xã", "51", "", ""],  # repeated code
        ["X3", "Xã Ba", "huyện mới", "51", "", ""],  # no such kind
        ["X4", "Xã Bốn", "xã", "51", "OLD9", "31/02/2026"],  # unknown old code, no such date
    ]
    data = to_csv(["code", "name", "kind", "parent_code", "replaces", "effective_on"], rows)
    with database.session() as s, pytest.raises(ImportRejected) as rejected:
        import_areas(s, ADMIN, read_table(data, "bad.csv"))
    problems = {(p.row, p.column) for p in rejected.value.problems}
    assert {(4, "parent_code"), (5, "parent_code"), (6, "code"), (7, "kind")} <= problems
    assert {(8, "replaces"), (8, "effective_on")} <= problems
    assert (3, "code") not in problems  # the good rows are not blamed
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Area)) == 0


def test_a_merger_keeps_history_readable_and_reports_right(
    database: Database, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from monitor.registry.cameras import CameraRules
    from monitor.reports.availability import availability_report, parse_period
    from monitor.reports.outages import OutageFilter, list_outages
    from tests.monitor.reports.outage_data import NOW, at, seed_outages
    from tests.registry_data import seed_registry

    seed = seed_registry(database, CameraRules.from_settings(settings))
    seed_outages(database, seed.crew_ids["st"])
    merger = to_csv(
        [
            "Mã đơn vị",
            "Tên đơn vị",
            "Loại đơn vị",
            "Mã đơn vị cấp trên",
            "Thay cho mã",
            "Ngày hiệu lực",
        ],
        [["ST-TPM", "Xã Tịnh Phong Mới", "xã", "ST", "ST-TP; BS-BT", "25/10/2026"]],
    )
    with database.session() as s:
        before = {
            r.camera_code: (r.commune, r.cluster)
            for r in list_outages(s, ADMIN, OutageFilter(), now=NOW)[0]
            if r.camera_code
        }
        summary = import_areas(s, ADMIN, read_table(merger, "merger.csv"))
    assert summary.retired == ["ST-TP", "BS-BT"] and summary.moved_cameras == 2
    with database.session() as s:
        new = areas.get_area(s, "ST-TPM")
        old = areas.get_area(s, "ST-TP")
        assert old.superseded_by_id == new.id and old.retired_on.isoformat() == "2026-10-25"
        cams = {c.code: c for c in s.scalars(select(Camera))}
        assert cams["BS-0001"].area_id == new.id and cams["ST-0002"].area_id == new.id
        assert areas.get_area(s, "ST-TP-1").parent_id == new.id  # the village moved along
        # A new outage after the merger is recorded in the new commune.
        from monitor.core.models import Incident, IncidentKind

        s.add(
            Incident(
                kind=IncidentKind.CAMERA,
                camera_id=cams["ST-0002"].id,
                area_id=new.id,
                state="down",
                started_at=datetime(2026, 10, 28, 3, tzinfo=UTC),
                ended_at=datetime(2026, 10, 28, 5, tzinfo=UTC),
                faults=["offline"],
            )
        )
    with database.session() as s:
        rows, _ = list_outages(s, ADMIN, OutageFilter(), now=NOW)
        # Outages before the change keep the commune and cluster names they had.
        old_rows = [r for r in rows if r.camera_code and r.started_at < at(25)]
        assert {r.camera_code: (r.commune, r.cluster) for r in old_rows} == before
        assert before["BS-0001"] == ("Xã Bình Thuận", "Huyện Bình Sơn")
        latest = rows[0]
        assert (latest.camera_code, latest.commune) == ("ST-0002", "Xã Tịnh Phong Mới")
        in_new, _ = list_outages(s, ADMIN, OutageFilter(commune="ST-TPM"), now=NOW)
        in_old, _ = list_outages(s, ADMIN, OutageFilter(commune="ST-TP"), now=NOW)
        in_bs, _ = list_outages(s, ADMIN, OutageFilter(cluster="BS"), now=NOW)
        assert len(in_new) == len(rows)  # the new commune's list holds its units' history
        assert "ST-0002" in {r.camera_code for r in in_old if r.started_at < at(25)}
        assert all(r.started_at < at(25) for r in in_old)  # nothing after the change
        assert [r.camera_code for r in in_bs] == ["BS-0001"]  # Bình Sơn's history stays there
        # Tickets keep the area they were opened in.
        ticket = s.scalar(select(Ticket).where(Ticket.camera_id == cams["BS-0001"].id))
        assert s.get(Area, ticket.area_id).name == "Huyện Bình Sơn"
        # The October report of the new commune spans the change: every outage counts once.
        report = availability_report(s, ADMIN, parse_period("2026-10"), area="ST-TPM", now=NOW)
        unavailable = {c.code: c.unavailable_seconds for c in report.cameras}
        assert unavailable["ST-0001"] == 5 * 3600
        assert unavailable["ST-0002"] == 25 * 3600 + 2 * 3600
        assert unavailable["BS-0001"] == (at(31, 17) - at(10, 10)).total_seconds()
        assert [c.name for c in report.communes] == ["Xã Tịnh Phong Mới"]
        # The commune police of the old unit answers for the new one and still sees its history.
        police = Actor.for_user(s, s.get(User, seed.user_ids["police_commune"]))
        seen, _ = list_outages(s, police, OutageFilter(), now=NOW)
        assert {r.camera_code for r in seen if r.camera_code} == {"ST-0001", "ST-0002", "BS-0001"}


def test_a_renamed_review_area_keeps_the_name_it_had(
    database: Database, settings: Settings
) -> None:
    from datetime import date

    from monitor.movement.reviews import add_review, list_reviews
    from monitor.movement.schemas import ReviewCreate
    from monitor.registry.cameras import CameraRules
    from tests.movement_data import seed_movement
    from tests.registry_data import seed_registry

    seed_registry(database, CameraRules.from_settings(settings))
    seed_movement(database)
    instance = "ST-CAM-01"  # run by the commune police of Tịnh Phong
    with database.session() as s:
        add_review(
            s,
            ADMIN,
            instance,
            ReviewCreate(
                reviewed_on=date(2025, 6, 20),
                period_start=date(2025, 1, 1),
                period_end=date(2025, 6, 15),
                rating="good",
                decision="keep",
                reviewer="Ban Chỉ đạo 138",
            ),
        )
    renaming = to_csv(
        ["code", "name", "kind", "parent_code", "replaces"],
        [["ST-TP2", "Xã Tịnh Phong (mới)", "xã", "ST", "ST-TP"]],
    )
    with database.session() as s:
        import_areas(s, ADMIN, read_table(renaming, "rename.csv"))
    with database.session() as s:
        (review,) = list_reviews(s, ADMIN, instance)
        assert review.area_name == "Xã Tịnh Phong"


def test_tickets_go_to_the_most_specific_crew_or_stay_with_the_technicians(
    database: Database, settings: Settings, seed: Seed
) -> None:
    with database.session() as s:
        commune_crew = crews.create_crew(
            s, ADMIN, CrewCreate(name="Tổ Tịnh Phong", area_codes=["ST-TP"])
        ).id
    village = seed_ticket(database, settings, "ST-0001")  # a village of Tịnh Phong
    nobody = seed_ticket(database, settings, "BS-0001")  # Bình Sơn: no crew covers it
    with database.session() as s:
        assert s.get(Ticket, village).crew_id == commune_crew  # commune beats cluster
        unassigned = s.get(Ticket, nobody)
        assert unassigned.crew_id is None and unassigned.state == TicketState.OPEN
        said = [
            e.comment for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == nobody))
        ]
        assert any("kỹ thuật viên tỉnh" in c for c in said)
        technician = Actor(user_id=None, username="kt", role=Role.TECHNICIAN)
        open_tickets, _ = list_tickets(s, technician, open_only=True, area_code="BS")
        assert [t.id for t in open_tickets] == [nobody]
        crews.update_crew(s, ADMIN, commune_crew, CrewUpdate(area_codes=["BS-BT"]))
    again = seed_ticket(database, settings, "ST-0002")
    with database.session() as s:
        assert s.get(Ticket, again).crew.name == "Tổ sửa chữa Sơn Tịnh"  # its cluster's crew


def test_a_province_without_clusters_routes_by_commune(
    database: Database, settings: Settings
) -> None:
    from monitor.registry import cameras
    from monitor.registry.cameras import CameraRules
    from monitor.registry.schemas import CameraCreate

    with database.session() as s:
        for code, name, level, kind, parent in (
            ("51", "Tỉnh Quảng Ngãi", AreaLevel.PROVINCE, "province", None),
            ("LS", "Đặc khu Lý Sơn", AreaLevel.COMMUNE, "special_zone", "51"),
            ("LS-1", "Thôn 1", AreaLevel.VILLAGE, "village", "LS"),
            ("CT", "Phường Cẩm Thành", AreaLevel.COMMUNE, "ward", "51"),
        ):
            areas.create_area(
                s,
                ADMIN,
                AreaCreate(code=code, name=name, level=level, kind=kind, parent_code=parent),
            )
        crews.create_crew(s, ADMIN, CrewCreate(name="Tổ Lý Sơn", area_codes=["LS"]))
        for code, area in (("LS-0001", "LS-1"), ("CT-0001", "CT")):
            cameras.create_camera(
                s,
                ADMIN,
                CameraCreate(code=code, name=code, area_code=area, onvif_host="127.0.0.1"),
                CameraRules.from_settings(settings),
            )
    island = seed_ticket(database, settings, "LS-0001")
    ward = seed_ticket(database, settings, "CT-0001")
    with database.session() as s:
        assert s.get(Ticket, island).crew.name == "Tổ Lý Sơn"
        assert s.get(Ticket, ward).crew_id is None
