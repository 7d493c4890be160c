"""Movement-models test data: the built-in types (as migration 0003 seeds them) and instances."""

from __future__ import annotations

import importlib
from datetime import date

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.migrate import MIGRATIONS_DIR
from monitor.core.models import ModelStatus, UnitKind
from monitor.movement import instances
from monitor.movement.schemas import BudgetIn, InstanceCreate, TargetIn

SYSTEM = Actor.system("movement-test")
CAMERA_TYPE = "camera-an-ninh"
SAFE_HOUSEHOLDS = "Hộ an toàn"
PEACEFUL_VILLAGES = "Thôn bình yên"


def migration_0003():
    """The 0003 migration module (its file name starts with a digit, so import it by path)."""
    assert (MIGRATIONS_DIR / "versions" / "0003_movement_models.py").exists()
    return importlib.import_module("monitor.core.migrations.versions.0003_movement_models")


def ensure_builtin_types(db: Database) -> None:
    """Put back the built-in types the PostgreSQL fixture's TRUNCATE removed (no-op on SQLite)."""
    with db.engine.begin() as conn:
        migration_0003().seed_builtin_types(conn)


def seed_movement(db: Database) -> None:
    """Four instances, one per built-in type, in both test districts."""
    ensure_builtin_types(db)
    with db.session() as s:
        for data in (
            InstanceCreate(
                code="ST-CAM-01",
                type_code=CAMERA_TYPE,
                name="Camera an ninh xã Tịnh Phong",
                unit_name="Công an xã Tịnh Phong",
                unit_kind=UnitKind.AGENCY,
                area_code="ST-TP",
                started_on=date(2024, 1, 15),
                responsible_person="Nguyễn Văn Hùng",
                camera_codes=["ST-0001", "ST-0002"],
                dossier_done=["Quyết định xây dựng mô hình", "Kế hoạch triển khai"],
                budgets=[BudgetIn(year=2025, amount_vnd=30_000_000)],
            ),
            InstanceCreate(
                code="ST-HAT-01",
                type_code="ho-an-toan",
                name="Hộ an toàn, thôn bình yên Trường Thọ",
                unit_name="Thôn Trường Thọ",
                unit_kind=UnitKind.VILLAGE,
                area_code="ST-TP-1",
                started_on=date(2023, 3, 1),
                responsible_person="Trần Thị Lan",
                targets=[
                    TargetIn(year=2025, indicator=SAFE_HOUSEHOLDS, target=120, achieved=95),
                    TargetIn(year=2025, indicator=PEACEFUL_VILLAGES, target=3, achieved=2),
                ],
                budgets=[BudgetIn(year=2025, amount_vnd=50_000_000)],
            ),
            InstanceCreate(
                code="BS-CN-01",
                type_code="doi-cong-nhan-xung-kich",
                name="Đội công nhân xung kích Công ty TNHH Dung Quất",
                unit_name="Công ty TNHH Dung Quất",
                unit_kind=UnitKind.ENTERPRISE,
                area_code="BS-BT",
                started_on=date(2022, 6, 1),
                status=ModelStatus.ACTIVE,
                targets=[TargetIn(year=2025, indicator=SAFE_HOUSEHOLDS, target=10, achieved=10)],
            ),
            InstanceCreate(
                code="BS-TH-01",
                type_code="truong-hoc-van-minh",
                name="Trường học văn minh THCS Bình Thuận",
                unit_name="Trường THCS Bình Thuận",
                unit_kind=UnitKind.SCHOOL,
                area_code="BS-BT",
                started_on=date(2025, 9, 5),
                dossier_done=[
                    "Quyết định thành lập mô hình",
                    "Quy chế phối hợp nhà trường – Công an",
                    "Kế hoạch hoạt động năm học",
                    "Danh sách Ban chỉ đạo",
                    "Báo cáo sơ kết, tổng kết",
                ],
            ),
        ):
            instances.create_instance(s, SYSTEM, data)
