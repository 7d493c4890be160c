"""Migration 0004 on a database filled with the old shape (province → district → commune →
village, crews per district, tickets per district): it upgrades and keeps working, both backends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import Area, AreaLevel, Crew, Incident, IncidentKind, ModelReview, Ticket
from monitor.core.settings import Settings
from monitor.outages.tickets import open_ticket
from monitor.reports.outages import OutageFilter, list_outages
from tests.conftest import POSTGRES_URL

T0 = datetime(2025, 3, 1, 8, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with nothing in it yet."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.db'}")
        yield db
        db.dispose()
        return
    schema = f"cw_old_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    yield db
    db.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _fill_old_shape(db: Database) -> None:
    """Rows as a 2024 installation wrote them, straight into the 0003 tables."""
    meta = MetaData()
    meta.reflect(db.engine)
    t = meta.tables
    stamp = {"created_at": T0, "updated_at": T0}
    with db.engine.begin() as conn:
        for id_, code, name, level, parent, path in (
            (1, "QNG", "Tỉnh Quảng Ngãi", "province", None, "/1/"),
            (2, "ST", "Huyện Sơn Tịnh", "district", 1, "/1/2/"),
            (3, "ST-TP", "Xã Tịnh Phong", "commune", 2, "/1/2/3/"),
            (4, "ST-TP-1", "Thôn Trường Thọ", "village", 3, "/1/2/3/4/"),
            (5, "ST-TT", "Thị trấn Tịnh Hà", "commune", 2, "/1/2/5/"),
            (6, "TP", "Thành phố Quảng Ngãi", "district", 1, "/1/6/"),
            (7, "TP-TRANPHU", "Phường Trần Phú", "commune", 6, "/1/6/7/"),
        ):
            conn.execute(
                t["areas"]
                .insert()
                .values(
                    id=id_, code=code, name=name, level=level, parent_id=parent, path=path, **stamp
                )
            )
        conn.execute(
            t["crews"]
            .insert()
            .values(id=1, name="Tổ sửa chữa Sơn Tịnh", phone="", email="", **stamp)
        )
        conn.execute(t["crew_districts"].insert().values(crew_id=1, area_id=2))
        conn.execute(
            t["cameras"]
            .insert()
            .values(
                id=1,
                code="ST-0001",
                name="Cổng trường",
                address="",
                area_id=4,
                onvif_host="127.0.0.1",
                onvif_port=80,
                rtsp_port=554,
                vendor="",
                model="",
                serial="",
                firmware="",
                probe_profile={},
                enabled=True,
                upstream_device="",
                importance=3,
                tags=[],
                **stamp,
            )
        )
        conn.execute(
            t["incidents"]
            .insert()
            .values(
                id=1,
                kind="camera",
                camera_id=1,
                area_id=4,
                state="down",
                started_at=T0,
                ended_at=T0.replace(hour=12),
                faults=["offline"],
                reason="",
                in_maintenance=False,
            )
        )
        conn.execute(
            t["tickets"]
            .insert()
            .values(
                id=1,
                incident_id=1,
                camera_id=1,
                crew_id=1,
                district_id=2,
                state="closed",
                priority=2,
                fault="offline",
                title="Mất kết nối – ST-0001",
                opened_at=T0,
                due_at=T0,
                updated_at=T0,
            )
        )
        type_id = conn.scalar(select(t["movement_types"].c.id).limit(1))
        conn.execute(
            t["movement_instances"]
            .insert()
            .values(
                id=1,
                code="ST-CAM-01",
                type_id=type_id,
                name="Camera an ninh xã Tịnh Phong",
                unit_name="Công an xã Tịnh Phong",
                unit_kind="agency",
                area_id=3,
                responsible_person="",
                responsible_phone="",
                status="active",
                dossier=[],
                notes="",
                **stamp,
            )
        )
        conn.execute(
            t["movement_reviews"]
            .insert()
            .values(
                id=1,
                instance_id=1,
                kind="interim",
                reviewed_on=date(2025, 6, 20),
                period_start=date(2025, 1, 1),
                period_end=date(2025, 6, 15),
                rating="good",
                findings="",
                decision="keep",
                reviewer="Ban Chỉ đạo 138 huyện Sơn Tịnh",
                recorded_by="admin",
                **stamp,
            )
        )
        if db.is_postgresql:  # the rows above gave their ids: move the sequences past them
            for name in ("areas", "crews", "cameras", "incidents", "tickets", "movement_reviews"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), 100)"))


def test_an_old_shape_database_upgrades_and_keeps_working(fresh: Database, tmp_path: Path) -> None:
    upgrade(fresh.engine, "0003")
    _fill_old_shape(fresh)
    upgrade(fresh.engine)
    with fresh.session() as s:
        by_code = {a.code: a for a in s.scalars(select(Area))}
        assert by_code["ST"].level == AreaLevel.CLUSTER
        assert by_code["ST"].kind == "former_district"  # districts become the grouping level
        assert (by_code["ST-TP"].kind, by_code["TP-TRANPHU"].kind) == ("commune", "ward")
        assert by_code["ST-TT"].kind == ""  # a thị trấn: no such kind any more, the level's name
        assert by_code["ST-TP-1"].kind == "village"
        crew = s.get(Crew, 1)
        assert [a.code for a in crew.areas] == ["ST"]
        ticket = s.get(Ticket, 1)
        assert ticket.area_id == by_code["ST-TP-1"].id  # the camera's area, not the district
        assert s.get(Incident, 1).area_path == "/1/2/3/4/"
        assert s.get(ModelReview, 1).area_id == by_code["ST-TP"].id
        # The old outage is found by commune and by the former district, with the old names.
        admin = Actor.system("test")
        rows, _ = list_outages(s, admin, OutageFilter(commune="ST-TP"))
        assert [(r.camera_code, r.commune, r.cluster) for r in rows] == [
            ("ST-0001", "Xã Tịnh Phong", "Huyện Sơn Tịnh")
        ]
        assert len(list_outages(s, admin, OutageFilter(cluster="ST"))[0]) == 1
        # A new outage still routes to the crew of the former district.
        incident = Incident(kind=IncidentKind.CAMERA, camera_id=1, state="down", faults=["offline"])
        s.add(incident)
        s.flush()
        settings = Settings(environment="test", data_dir=tmp_path, _env_file=None)
        assert open_ticket(s, incident, settings).crew_id == 1
