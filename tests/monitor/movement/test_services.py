"""Types, instances and their audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import Conflict, InvalidData, NotFound, PermissionDenied
from monitor.core.models import AuditEntry, ModelStatus, Role
from monitor.movement import instances, types
from monitor.movement.instances import dossier_completeness
from monitor.movement.schemas import InstanceCreate, InstanceUpdate, TargetIn, TypeCreate
from tests.movement_data import CAMERA_TYPE, SAFE_HOUSEHOLDS, SYSTEM
from tests.registry_data import Seed

TECH = Actor(user_id=None, username="tech1", role=Role.TECHNICIAN)
POLICE = Actor(user_id=None, username="police1", role=Role.POLICE)
CREW = Actor(user_id=None, username="crew1", role=Role.CREW, area_ids=frozenset({2}))


def test_builtin_types_are_the_provinces_four_models(database: Database, seed: Seed) -> None:
    with database.session() as s:
        rows = types.list_types(s, POLICE)
        names = [t.name_vi for t in rows]
        assert names == [
            "Camera an ninh",
            "Trường học văn minh, học sinh, sinh viên thân thiện, không có ma tuý, "
            "bạo lực học đường",
            "Đội công nhân xung kích tự quản về ANTT",
            "Hộ an toàn, Thôn, Tổ dân phố bình yên",
        ]
        assert all(t.builtin and t.dossier_template for t in rows)
        assert [t.code for t in rows if t.links_cameras] == [CAMERA_TYPE]
        assert "VSIP" in types.get_type(s, "doi-cong-nhan-xung-kich").description


def test_admin_adds_a_type_and_its_checklist_seeds_new_instances(
    database: Database, seed: Seed
) -> None:
    body = TypeCreate(
        code="ben-do-an-toan",
        name_vi="Bến đò an toàn",
        name_en="Safe ferry",
        dossier_template=["Quyết định", "Danh sách người lái đò"],
    )
    with database.session() as s, pytest.raises(PermissionDenied):
        types.create_type(s, TECH, body)
    with database.session() as s:
        types.create_type(s, SYSTEM, body)
    with database.session() as s, pytest.raises(Conflict):
        types.create_type(s, SYSTEM, body)
    with database.session() as s:
        row = instances.create_instance(
            s,
            TECH,
            InstanceCreate(
                code="ST-BD-01",
                type_code="ben-do-an-toan",
                name="Bến đò Tịnh Phong",
                unit_name="Thôn Trường Thọ",
                area_code="ST-TP-1",
                dossier_done=["Quyết định"],
            ),
        )
        assert row.dossier == [
            {"item": "Quyết định", "done": True},
            {"item": "Danh sách người lái đò", "done": False},
        ]
        assert dossier_completeness(row) == 50.0
        assert row.status == ModelStatus.ACTIVE


def test_instance_update_replaces_figures_and_is_audited(database: Database, seed: Seed) -> None:
    with database.session() as s:
        instances.update_instance(
            s,
            TECH,
            "ST-HAT-01",
            InstanceUpdate(
                targets=[TargetIn(year=2025, indicator=SAFE_HOUSEHOLDS, target=120, achieved=118)],
                status=ModelStatus.UNDER_REVIEW,
                responsible_person="Lê Văn Tâm",
            ),
        )
    with database.session() as s:
        row = instances.get_instance(s, POLICE, "ST-HAT-01")
        assert [(t.indicator, t.target, t.achieved) for t in row.targets] == [
            (SAFE_HOUSEHOLDS, 120, 118)
        ]
        assert [b.year for b in row.budgets] == [2025]  # not given: kept
        assert row.status == ModelStatus.UNDER_REVIEW
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "movement_instance",
                AuditEntry.entity_id == "ST-HAT-01",
                AuditEntry.action == "update",
            )
        ).one()
        assert entry.username == "tech1"
        assert entry.changes["status"] == ["active", "under_review"]
        assert entry.changes["responsible_person"] == ["Trần Thị Lan", "Lê Văn Tâm"]
        assert "Thôn bình yên" in str(entry.changes["targets"][0])


def test_bad_references_are_refused(database: Database, seed: Seed) -> None:
    link = InstanceUpdate(camera_codes=["ST-0001"])
    with database.session() as s:
        with pytest.raises(InvalidData, match="does not link cameras"):
            instances.update_instance(s, TECH, "ST-HAT-01", link)
        with pytest.raises(InvalidData, match="NO-CAM"):
            bad = InstanceUpdate(camera_codes=["NO-CAM"])
            instances.update_instance(s, TECH, "ST-CAM-01", bad)
        with pytest.raises(InvalidData, match="dossier checklist"):
            instances.update_instance(s, TECH, "ST-CAM-01", InstanceUpdate(dossier_done=["Khác"]))
        with pytest.raises(NotFound):
            instances.update_instance(s, TECH, "NOPE", InstanceUpdate(notes="x"))
        with pytest.raises(NotFound):
            instances.create_instance(
                s,
                TECH,
                InstanceCreate(
                    code="X-1", type_code="no-such-type", name="x", unit_name="x", area_code="ST"
                ),
            )
        with pytest.raises(Conflict):
            instances.create_instance(
                s,
                TECH,
                InstanceCreate(
                    code="ST-CAM-01", type_code=CAMERA_TYPE, name="x", unit_name="x", area_code="ST"
                ),
            )


def test_roles(database: Database, seed: Seed) -> None:
    with database.session() as s:
        assert instances.list_instances(s, POLICE)[1] == 4
        with pytest.raises(PermissionDenied):
            instances.update_instance(s, POLICE, "ST-CAM-01", InstanceUpdate(notes="x"))
        with pytest.raises(PermissionDenied):
            instances.list_instances(s, CREW)
        with pytest.raises(PermissionDenied):
            types.list_types(s, CREW)


def test_listing_filters_by_area_type_status_and_text(database: Database, seed: Seed) -> None:
    with database.session() as s:

        def codes(**kw: object) -> list[str]:
            return [r.code for r in instances.list_instances(s, POLICE, **kw)[0]]

        assert codes(area_code="ST") == ["ST-CAM-01", "ST-HAT-01"]
        assert codes(area_code="ST-TP-1") == ["ST-HAT-01"]
        assert codes(type_code=CAMERA_TYPE) == ["ST-CAM-01"]
        assert codes(q="dung quất") in (["BS-CN-01"], [])  # SQLite ILIKE folds ASCII only
        assert codes(q="Dung Quất") == ["BS-CN-01"]
        assert codes(status=ModelStatus.REMOVED) == []
