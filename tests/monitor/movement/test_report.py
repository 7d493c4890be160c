"""The district/province report: its figures, and its XLSX and PDF read back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.models import (
    Camera,
    Incident,
    IncidentKind,
    ModelStatus,
    ReviewDecision,
    ReviewRating,
    Role,
)
from monitor.movement import instances, reviews
from monitor.movement.export import report_pdf, report_xlsx
from monitor.movement.report import MovementReport, add_months, build_report
from monitor.movement.schemas import ReviewCreate
from tests.movement_data import CAMERA_TYPE, PEACEFUL_VILLAGES, SAFE_HOUSEHOLDS
from tests.registry_data import Seed

POLICE = Actor(user_id=None, username="police1", role=Role.POLICE)
TECH = Actor(user_id=None, username="tech1", role=Role.TECHNICIAN)
AS_OF = date(2025, 12, 31)


def _prepare(db: Database) -> None:
    with db.session() as s:
        reviews.add_review(
            s,
            TECH,
            "BS-CN-01",
            ReviewCreate(
                reviewed_on=date(2025, 6, 1),
                period_start=date(2024, 6, 1),
                period_end=date(2025, 5, 31),
                rating=ReviewRating.GOOD,
                decision=ReviewDecision.REPLICATE,
                reviewer="Ban Chỉ đạo 138 huyện Bình Sơn",
            ),
        )
        for camera in s.scalars(select(Camera)):
            camera.created_at = datetime(2024, 1, 1, tzinfo=UTC)
        cams = {c.code: c.id for c in s.scalars(select(Camera))}
        # 6 of the 60 camera-days of the 30-day window (2 to 31 December, local) unavailable.
        s.add(
            Incident(
                kind=IncidentKind.CAMERA,
                camera_id=cams["ST-0001"],
                state="degraded",
                started_at=datetime(2025, 12, 1, 17, tzinfo=UTC),
                ended_at=datetime(2025, 12, 7, 17, tzinfo=UTC),
                faults=["blur"],
            )
        )


def _report(db: Database, area: str | None = None) -> MovementReport:
    with db.session() as s:
        return build_report(s, POLICE, area_code=area, as_of=AS_OF, overdue_months=12)


def test_province_report_figures(database: Database, seed: Seed) -> None:
    _prepare(database)
    report = _report(database)
    assert report.instances_total == 4 and report.year == 2025
    counts = {r.type_code: r.counts for r in report.by_type_status}
    assert counts["doi-cong-nhan-xung-kich"]["replicated"] == 1
    assert counts[CAMERA_TYPE]["active"] == 1 and sum(counts[CAMERA_TYPE].values()) == 1
    targets = {(r.type_code, r.indicator): r for r in report.targets}
    assert (
        targets[("ho-an-toan", SAFE_HOUSEHOLDS)].target,
        targets[("ho-an-toan", SAFE_HOUSEHOLDS)].achieved,
        targets[("ho-an-toan", SAFE_HOUSEHOLDS)].percent,
    ) == (120, 95, 79.2)
    assert targets[("ho-an-toan", PEACEFUL_VILLAGES)].percent == 66.7
    assert targets[("doi-cong-nhan-xung-kich", SAFE_HOUSEHOLDS)].percent == 100.0
    assert {r.type_code: r.amount_vnd for r in report.budgets} == {
        CAMERA_TYPE: 30_000_000,
        "ho-an-toan": 50_000_000,
    }
    dossiers = {r.code: r for r in report.incomplete_dossiers}
    assert set(dossiers) == {"ST-CAM-01", "ST-HAT-01", "BS-CN-01"}  # BS-TH-01 is complete
    assert dossiers["ST-CAM-01"].completeness == 40.0
    assert "Cam kết chia sẻ hình ảnh" in dossiers["ST-CAM-01"].missing
    # never reviewed and started over 12 months ago; BS-CN-01 reviewed in June, BS-TH-01 is new
    overdue = {r.code: r for r in report.overdue}
    assert set(overdue) == {"ST-CAM-01", "ST-HAT-01"}
    assert overdue["ST-CAM-01"].due_on == date(2025, 1, 15)
    assert overdue["ST-CAM-01"].last_reviewed_on is None
    [camera_model] = report.camera_models
    assert (camera_model.code, camera_model.cameras, camera_model.availability) == (
        "ST-CAM-01",
        2,
        0.9,
    )


def test_district_report_and_a_shorter_review_period(database: Database, seed: Seed) -> None:
    _prepare(database)
    report = _report(database, "BS")
    assert report.area is not None and report.area_name == "Huyện Bình Sơn"
    assert report.instances_total == 2
    assert report.camera_models == [] and report.overdue == []
    with database.session() as s:
        six = build_report(s, POLICE, area_code="BS", as_of=AS_OF, overdue_months=6)
    assert [r.code for r in six.overdue] == ["BS-CN-01"]  # last review 2025-06-01 + 6 months


def test_removed_instances_leave_the_to_do_lists_but_stay_counted(
    database: Database, seed: Seed
) -> None:
    with database.session() as s:
        instances.get_instance(s, POLICE, "ST-HAT-01").status = ModelStatus.REMOVED
    report = _report(database, "ST")
    assert [r.code for r in report.overdue] == ["ST-CAM-01"]
    assert [r.code for r in report.incomplete_dossiers] == ["ST-CAM-01"]
    assert {r.type_code: r.counts["removed"] for r in report.by_type_status}["ho-an-toan"] == 1
    assert report.targets == []


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 14) == date(2026, 1, 15)


def test_xlsx_reads_back_with_vietnamese_text(database: Database, seed: Seed) -> None:
    _prepare(database)
    workbook = load_workbook(io.BytesIO(report_xlsx(_report(database), "vi")))
    assert workbook.sheetnames[0] == "Báo cáo"
    cover = [tuple(r) for r in workbook["Báo cáo"].iter_rows(values_only=True)]
    assert ("Địa bàn", "Toàn tỉnh") in cover
    by_type = workbook["Theo loại"]
    rows = list(by_type.iter_rows(values_only=True))
    assert rows[0][:3] == ("Loại mô hình", "Đang hoạt động", "Đang đánh giá")
    assert (rows[4][0], rows[4][-1]) == ("Hộ an toàn, Thôn, Tổ dân phố bình yên", 1)
    targets = list(workbook["Chỉ tiêu"].iter_rows(values_only=True))
    safe = ("Hộ an toàn, Thôn, Tổ dân phố bình yên", SAFE_HOUSEHOLDS, 2025, 1, 120, 95, 79.2)
    assert safe in targets
    overdue = list(workbook["Quá hạn đánh giá"].iter_rows(values_only=True))
    assert overdue[1][0] == "ST-CAM-01" and overdue[1][4] == "Chưa đánh giá"


def test_pdf_reads_back_with_vietnamese_text(database: Database, seed: Seed) -> None:
    _prepare(database)
    pdf = report_pdf(_report(database, "ST"), "vi")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Báo cáo mô hình phong trào toàn dân bảo vệ ANTQ",
        "Huyện Sơn Tịnh",
        "Mô hình quá hạn sơ kết, tổng kết",
        "Camera an ninh xã Tịnh Phong",
        "Hộ an toàn",
        "Quyết định xây dựng mô hình",
        "Tình trạng hoạt động của mô hình Camera an ninh",
        "90.0 %",
        "Hình mờ ×1",  # the fault's label, as on the page, not its code
    ):
        assert expected in text, expected
    assert "blur" not in text
    english = report_pdf(_report(database, "ST"), "en")
    text_en = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(english)).pages)
    assert "Movement models report" in text_en and "Overdue for review" in text_en
