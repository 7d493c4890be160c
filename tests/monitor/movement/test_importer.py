"""Import of model instances: every problem named with row and column, nothing written, upsert."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import ImportRejected, PermissionDenied
from monitor.core.models import AuditEntry, ModelInstance, Role
from monitor.movement import instances
from monitor.movement.importer import import_instances
from monitor.registry.importer import ImportSummary
from monitor.registry.sheets import read_table
from tests.registry_data import Seed, to_csv

TECH = Actor(user_id=None, username="tech1", role=Role.TECHNICIAN)

HEADER_VI = [
    "Mã mô hình",
    "Mã loại mô hình",
    "Tên mô hình",
    "Đơn vị thực hiện",
    "Loại đơn vị",
    "Mã địa bàn",
    "Ngày bắt đầu",
    "Người phụ trách",
    "Trạng thái",
    "Hồ sơ đã có",
    "Năm",
    "Kinh phí (đồng)",
    "Chỉ tiêu",
    "Mục tiêu",
    "Đạt được",
    "Mã camera",
]


def _rows() -> list[list[str]]:
    return [
        [
            "ST-HAT-02",
            "ho-an-toan",
            "Hộ an toàn thôn Phú Lộc",
            "Thôn Phú Lộc",
            "thôn",
            "ST-TP",
            "15/02/2024",
            "Phạm Văn Bình",
            "Đang hoạt động",
            "Quyết định xây dựng mô hình; Kế hoạch thực hiện",
            "2025",
            "20.000.000",
            "Hộ an toàn",
            "80",
            "64",
            "",
        ],
        [
            "BS-CN-02",
            "doi-cong-nhan-xung-kich",
            "Đội xung kích VSIP",
            "Công ty VSIP Quảng Ngãi",
            "doanh nghiệp",
            "BS-BT",
            "2023-05-01",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "ST-CAM-02",
            "camera-an-ninh",
            "Camera an ninh thôn Trường Thọ",
            "Thôn Trường Thọ",
            "village",
            "ST-TP-1",
            "",
            "",
            "cần củng cố",
            "",
            "",
            "",
            "",
            "",
            "",
            "ST-0001, ST-0002",
        ],
        # an existing instance: only what is given changes
        [
            "ST-HAT-01",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "2025",
            "",
            "Hộ an toàn",
            "120",
            "110",
            "",
        ],
    ]


def _import(db: Database, data: bytes, name: str = "mo-hinh.csv") -> ImportSummary:
    with db.session() as s:
        return import_instances(s, TECH, read_table(data, name))


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_import_creates_and_updates_then_changes_nothing_the_second_time(
    database: Database, seed: Seed
) -> None:
    data = to_csv(HEADER_VI, _rows())
    first = _import(database, data)
    assert (first.created, first.updated, first.unchanged) == (3, 1, 0)
    with database.session() as s:
        hat = instances.get_instance(s, TECH, "ST-HAT-02")
        assert hat.unit_kind == "village" and hat.started_on.isoformat() == "2024-02-15"
        assert [b.amount_vnd for b in hat.budgets] == [20_000_000]
        assert [(t.indicator, t.target, t.achieved) for t in hat.targets] == [
            ("Hộ an toàn", 80, 64)
        ]
        assert [i["done"] for i in hat.dossier] == [True, True, False, False, False]
        cam = instances.get_instance(s, TECH, "ST-CAM-02")
        assert [c.code for c in cam.cameras] == ["ST-0001", "ST-0002"]
        assert cam.status == "to_consolidate"
        old = instances.get_instance(s, TECH, "ST-HAT-01")
        figures = {(t.indicator, t.target, t.achieved) for t in old.targets}
        assert figures == {("Hộ an toàn", 120, 110), ("Thôn bình yên", 3, 2)}  # merged, kept
        assert old.name == "Hộ an toàn, thôn bình yên Trường Thọ"  # empty cell: unchanged
        stamps = {i.code: i.updated_at for i in s.scalars(select(ModelInstance))}
    audits = _count(database, AuditEntry)
    second = _import(database, data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert _count(database, AuditEntry) == audits + 1  # only the import summary entry
    with database.session() as s:
        assert {i.code: i.updated_at for i in s.scalars(select(ModelInstance))} == stamps


def test_bad_rows_are_all_named_and_nothing_is_written(database: Database, seed: Seed) -> None:
    rows = _rows()
    rows[0][1] = "no-such-type"  # row 2
    rows[1][5] = "XX"  # unknown area, row 3
    rows[1][6] = "31/02/2024"  # impossible date, row 3
    rows[2][15] = "ST-0001, NO-CAM"  # unknown camera, row 4
    rows[3][10] = ""  # a target without its year, row 5
    extra = [
        [
            "ST-HAT-09",
            "ho-an-toan",
            "Hộ an toàn",
            "Thôn",
            "",
            "ST-TP",
            "",
            "",
            "",
            "Không có",
            "",
            "",
            "",
            "",
            "",
            "ST-0001",
        ],  # row 6: not a camera model, unknown dossier item
        [
            "BS-CN-02",
            "doi-cong-nhan-xung-kich",
            "Lặp",
            "Lặp",
            "",
            "BS-BT",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],  # row 7: repeats row 3
        ["ST-NEW-1", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # row 8
        [
            "BS-CN-01",
            "camera-an-ninh",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "2025",
            "-5",
            "",
            "",
            "",
            "",
        ],  # row 9: an existing instance's type change; negative budget
    ]
    before = _count(database, ModelInstance)
    with pytest.raises(ImportRejected) as caught:
        _import(database, to_csv(HEADER_VI, rows + extra))
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (2, "Mã loại mô hình"),
        (3, "Mã địa bàn"),
        (3, "Ngày bắt đầu"),
        (4, "Mã camera"),
        (5, "Năm"),
        (6, "Mã camera"),
        (6, "Hồ sơ đã có"),
        (7, "Mã mô hình"),
        (8, "Mã loại mô hình"),
        (8, "Tên mô hình"),
        (8, "Đơn vị thực hiện"),
        (8, "Mã địa bàn"),
        (9, "Mã loại mô hình"),
        (9, "Kinh phí (đồng)"),
    }, caught.value.problems
    reasons = " ".join(str(p) for p in caught.value.problems)
    assert "NO-CAM" in reasons and "no-such-type" in reasons and "repeats row 3" in reasons
    assert _count(database, ModelInstance) == before
    assert "cannot change" in reasons


def test_xlsx_with_english_headers_and_header_problems(database: Database, seed: Seed) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["Code", "Type code", "Name", "Unit", "Area code", "Start date", "Year", "Budget (VND)"]
    )
    sheet.append(
        [
            "BS-TH-02",
            "truong-hoc-van-minh",
            "Trường học văn minh THPT Bình Sơn",
            "Trường THPT Bình Sơn",
            "BS",
            "2024-09-05",
            2025,
            15000000,
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    summary = _import(database, out.getvalue(), "models.xlsx")
    assert summary.created_codes == ["BS-TH-02"]
    with database.session() as s:
        assert instances.get_instance(s, TECH, "BS-TH-02").budgets[0].amount_vnd == 15_000_000
    with pytest.raises(ImportRejected) as caught:
        _import(database, to_csv(["Tên mô hình", "Màu sắc"], [["x", "đỏ"]]))
    assert {(p.row, p.column, p.reason) for p in caught.value.problems} == {
        (1, "Màu sắc", "unknown column"),
        (1, "Mã mô hình", "required column is missing"),
    }


def test_police_cannot_import(database: Database, seed: Seed) -> None:
    police = Actor(user_id=None, username="police1", role=Role.POLICE)
    with database.session() as s, pytest.raises(PermissionDenied):
        import_instances(s, police, read_table(to_csv(HEADER_VI, _rows()), "a.csv"))
