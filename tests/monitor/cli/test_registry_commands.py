"""The camwatch command line as an operator uses it: a real process against the test database."""

from __future__ import annotations

import subprocess
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from monitor.core.db import Database
from monitor.core.models import Camera
from monitor.core.settings import Settings
from tests.processes import CAMWATCH, camwatch_env
from tests.registry_data import IMPORT_HEADER_VI, camera_rows, to_csv


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = camwatch_env(settings, {"COLUMNS": "200"})
    return subprocess.run([CAMWATCH, *args], env=env, capture_output=True, text=True, timeout=120)


def test_every_command_has_help(settings: Settings) -> None:
    for args in ([], ["db"], ["users"], ["areas"], ["cameras"], ["cameras", "import"], ["serve"]):
        answer = _run(settings, *args, "--help")
        assert answer.returncode == 0, answer.stderr
        assert "Usage" in answer.stdout


def test_operator_builds_a_registry_and_imports_and_exports(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    assert (
        _run(settings, "areas", "add", "QNG", "Quảng Ngãi", "--level", "province").returncode == 0
    )
    for code, name, level, parent in [
        ("ST", "Huyện Sơn Tịnh", "cluster", "QNG"),
        ("ST-TP", "Xã Tịnh Phong", "commune", "ST"),
        ("BS", "Huyện Bình Sơn", "cluster", "QNG"),
        ("BS-BT", "Xã Bình Thuận", "commune", "BS"),
        ("ST-TP-1", "Thôn Trường Thọ", "village", "ST-TP"),
    ]:
        done = _run(settings, "areas", "add", code, name, "--level", level, "--parent", parent)
        assert done.returncode == 0, done.stderr + done.stdout
    wrong = _run(settings, "areas", "add", "X", "Thôn lạc", "--level", "village", "--parent", "QNG")
    assert wrong.returncode == 1 and "must be inside a commune" in wrong.stdout

    rows = camera_rows(50)
    rows[7][3] = "NOWHERE"
    rows[20][11] = "port"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv(IMPORT_HEADER_VI, rows))
    rejected = _run(settings, "cameras", "import", str(bad))
    assert rejected.returncode == 1
    assert "2 problem(s), nothing written" in rejected.stderr
    assert "NOWHERE" in rejected.stderr and "│ 9 " in rejected.stderr and "│ 22 " in rejected.stderr
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Camera)) == 0

    good = tmp_path / "good.csv"
    good.write_bytes(to_csv(IMPORT_HEADER_VI, camera_rows(50)))
    imported = _run(settings, "cameras", "import", str(good))
    assert imported.returncode == 0, imported.stderr
    assert "50 rows: 50 created" in imported.stderr
    again = _run(settings, "cameras", "import", str(good))
    assert "0 created, 0 updated, 50 unchanged" in again.stderr

    out = tmp_path / "export.xlsx"
    assert _run(settings, "cameras", "export", str(out)).returncode == 0
    sheet = load_workbook(out).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Mã camera" and "Mật khẩu" not in values[0]
    assert len(values) == 51 and values[2][1] == "Camera số 1"
    assert not any("pw-" in str(cell) for row in values for cell in row)


def test_user_creation_prints_a_working_token_once(settings: Settings, database: Database) -> None:
    created = _run(settings, "users", "create", "admin", "--role", "admin")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("cw_")
    from monitor.registry.users import user_for_token

    with database.session() as s:
        user = user_for_token(s, token)
        assert user is not None and user.username == "admin"
    listing = _run(settings, "users", "list")
    assert "admin" in listing.stdout and token not in listing.stdout


def test_areas_import_merge_and_export_from_the_command_line(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    from monitor.core.models import Area

    province = tmp_path / "tinh.csv"
    province.write_bytes(
        to_csv(
            ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên"],
            [
                ["51", "Tỉnh Quảng Ngãi", "Tỉnh", ""],
                ["X-A", "Xã Một", "Xã", "51"],
                ["X-B", "Xã Hai", "Xã", "51"],
                ["X-A-1", "Thôn Một", "Thôn", "X-A"],
                ["LS", "Đặc khu Lý Sơn", "Đặc khu", "51"],
            ],
        )
    )
    done = _run(settings, "areas", "import", str(province))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 rows: 5 created" in done.stdout
    wrong = tmp_path / "sai.csv"
    wrong.write_bytes(
        to_csv(["code", "name", "kind", "parent_code"], [["T", "Thôn", "thôn", "51"]])
    )
    refused = _run(settings, "areas", "import", str(wrong))
    assert refused.returncode == 1 and "nothing written" in refused.stderr + refused.stdout
    merger = tmp_path / "sap-nhap.csv"
    merger.write_bytes(
        to_csv(
            ["code", "name", "kind", "parent_code", "replaces", "effective_on"],
            [["X-AB", "Xã Một Hai", "xã", "51", "X-A;X-B", "2025-07-01"]],
        )
    )
    merged = _run(settings, "areas", "import", str(merger))
    assert merged.returncode == 0 and "2 merged into new units" in merged.stdout
    listed = _run(settings, "areas", "list", "--retired")
    assert "X-AB" in listed.stdout and "X-A " in listed.stdout
    out = tmp_path / "areas.xlsx"
    assert _run(settings, "areas", "export", str(out)).returncode == 0
    sheet = load_workbook(out).worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["51", "LS", "X-AB", "X-A-1"]  # the merged units are no longer current
    with database.session() as s:
        village = s.scalar(select(Area).where(Area.code == "X-A-1"))
        assert village.parent.code == "X-AB"
