"""All-or-nothing camera import: validation, problem reports, idempotent upsert, round trip."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import ImportRejected
from monitor.core.models import AuditEntry, Camera, Host
from monitor.registry.cameras import CameraRules
from monitor.registry.exporter import export_cameras
from monitor.registry.importer import import_cameras
from monitor.registry.sheets import read_table
from tests.registry_data import IMPORT_HEADER_EN, IMPORT_HEADER_VI, Seed, camera_rows, to_csv

ADMIN = Actor.system("importer-test")


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _import(db: Database, rules: CameraRules, data: bytes, name: str = "cams.csv"):
    with db.session() as s:
        return import_cameras(s, ADMIN, read_table(data, name), rules)


def test_three_bad_rows_among_a_thousand_write_nothing_and_are_all_named(
    database: Database, rules: CameraRules, seed: Seed
) -> None:
    rows = camera_rows(1000)
    rows[10][3] = "NO-SUCH-AREA"  # area_code, file row 12
    rows[500][11] = "99999"  # onvif_port out of range, file row 502
    rows[998][10] = "8.8.4.4"  # onvif_host outside the allowed networks, file row 1000
    before = _count(database, Camera)
    with pytest.raises(ImportRejected) as caught:
        _import(database, rules, to_csv(IMPORT_HEADER_EN, rows))
    problems = {(p.row, p.column) for p in caught.value.problems}
    assert problems == {(12, "area_code"), (502, "onvif_port"), (1000, "onvif_host")}
    assert "NO-SUCH-AREA" in str(caught.value.problems[0])
    assert _count(database, Camera) == before
    assert _count(database, Host) == 2


def test_import_twice_changes_nothing_the_second_time(
    database: Database, rules: CameraRules, seed: Seed
) -> None:
    data = to_csv(IMPORT_HEADER_EN, camera_rows(300))
    first = _import(database, rules, data)
    assert (first.created, first.updated) == (300, 0)
    with database.session() as s:
        snapshot = {c.code: (c.password_encrypted, c.updated_at) for c in s.scalars(select(Camera))}
    audits = _count(database, AuditEntry)
    second = _import(database, rules, data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 300)
    with database.session() as s:
        again = {c.code: (c.password_encrypted, c.updated_at) for c in s.scalars(select(Camera))}
    assert again == snapshot
    assert _count(database, AuditEntry) == audits + 1  # only the summary entry of the import


def test_changed_rows_update_by_code(database: Database, rules: CameraRules, seed: Seed) -> None:
    rows = camera_rows(20)
    _import(database, rules, to_csv(IMPORT_HEADER_EN, rows))
    rows[3][1] = "Cổng chợ"
    rows[4][13] = "new-password"
    summary = _import(database, rules, to_csv(IMPORT_HEADER_EN, rows))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 2, 18)
    with database.session() as s:
        cam = s.scalar(select(Camera).where(Camera.code == "IMP-00003"))
        assert cam.name == "Cổng chợ"
        other = s.scalar(select(Camera).where(Camera.code == "IMP-00004"))
        assert rules.box.decrypt(other.password_encrypted) == "new-password"


def test_vietnamese_headers_in_xlsx(database: Database, rules: CameraRules, seed: Seed) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(IMPORT_HEADER_VI)
    for row in camera_rows(5):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    summary = _import(database, rules, out.getvalue(), "danh-sach.xlsx")
    assert summary.created == 5
    with database.session() as s:
        cam = s.scalar(select(Camera).where(Camera.code == "IMP-00001"))
        assert cam.name == "Camera số 1" and cam.host.name == "Hộ gia đình 1"
        assert cam.tags == ["trường học", "cổng"] and cam.enabled is True


def test_header_problems_reject_the_file(
    database: Database, rules: CameraRules, seed: Seed
) -> None:
    header = [*IMPORT_HEADER_EN, "colour"]
    header.remove("area_code")
    rows = [r[:3] + r[4:] + ["red"] for r in camera_rows(2)]
    with pytest.raises(ImportRejected) as caught:
        _import(database, rules, to_csv(header, rows))
    assert {(p.row, p.column) for p in caught.value.problems} == {(1, "colour"), (1, "Mã địa bàn")}


def test_repeated_code_and_bad_values_are_reported_per_cell(
    database: Database, rules: CameraRules, seed: Seed
) -> None:
    rows = camera_rows(4)
    rows[2][0] = rows[0][0]
    rows[1][17] = "maybe"  # enabled
    rows[3][4] = "north"  # latitude
    with pytest.raises(ImportRejected) as caught:
        _import(database, rules, to_csv(IMPORT_HEADER_EN, rows))
    reasons = {(p.row, p.column): p.reason for p in caught.value.problems}
    assert set(reasons) == {(4, "code"), (3, "enabled"), (5, "latitude")}
    assert "row 2" in reasons[(4, "code")]


def test_unreadable_files_are_rejected(database: Database, rules: CameraRules, seed: Seed) -> None:
    with pytest.raises(ImportRejected):
        _import(database, rules, b"\x00\xff garbage", "cams.xlsx")
    with pytest.raises(ImportRejected):
        _import(database, rules, "code,name\n".encode("utf-16"), "cams.csv")
    with pytest.raises(ValueError):
        read_table(b"x", "cams.pdf")


def test_export_then_import_is_a_no_op(database: Database, rules: CameraRules, seed: Seed) -> None:
    _import(database, rules, to_csv(IMPORT_HEADER_EN, camera_rows(30)))
    for fmt, lang in (("csv", "vi"), ("xlsx", "en")):
        with database.session() as s:
            data = export_cameras(s, ADMIN, fmt, language=lang)
        summary = _import(database, rules, data, f"export.{fmt}")
        assert summary.created == 0 and summary.updated == 0 and summary.unchanged == 33
        assert b"pw-1" not in data


def test_broken_spreadsheets_are_rejected_not_crashed(
    database: Database, rules: CameraRules, seed: Seed
) -> None:
    import zipfile

    huge = "code,name\n" + "A," + "x" * 200_000 + "\n"
    with pytest.raises(ImportRejected):
        _import(database, rules, huge.encode(), "cams.csv")
    book = Workbook()
    book.active.append(["code", "name"])
    good = io.BytesIO()
    book.save(good)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good.getvalue())) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # a truncated sheet
            dst.writestr(item, data)
    with pytest.raises(ImportRejected):
        _import(database, rules, broken.getvalue(), "cams.xlsx")


def test_every_problem_of_a_row_is_named_in_one_answer(
    database: Database, rules: CameraRules, seed: Seed
) -> None:
    rows = camera_rows(3)
    rows[0][3] = "NO-SUCH-AREA"  # area_code, with other problems in the same row
    rows[0][4] = "north"  # latitude
    rows[0][11] = "99999"  # onvif_port
    rows[1][3] = "NO-SUCH-AREA"  # a repeated code and an unknown area in one row
    rows[1][0] = rows[2][0]
    with pytest.raises(ImportRejected) as caught:
        _import(database, rules, to_csv(IMPORT_HEADER_EN, rows))
    problems = {(p.row, p.column) for p in caught.value.problems}
    assert problems == {
        (2, "area_code"),
        (2, "latitude"),
        (2, "onvif_port"),
        (3, "area_code"),
        (4, "code"),
    }
