"""Outage API and exports on SQLite and PostgreSQL: filters, scope, CSV/XLSX/PDF read back."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.api.conftest import auth
from tests.monitor.reports.outage_data import OutageSeed, seed_outages
from tests.registry_data import Seed, seed_registry


@pytest.fixture
def seed(database: Database, settings: Settings) -> Seed:
    """The plain test registry (without the shared fixture's outages happening now)."""
    return seed_registry(database, CameraRules.from_settings(settings))


@pytest.fixture
def outages(database: Database, seed: Seed) -> OutageSeed:
    """October 2026 outages."""
    return seed_outages(database, seed.crew_ids["st"])


def test_list_filters_and_scope(client: TestClient, seed: Seed, outages: OutageSeed) -> None:
    police = client.get("/api/v1/outages", headers=auth(seed, "police")).json()
    assert police["total"] == 4
    group = police["items"][0]
    assert group["kind"] == "group"
    assert [m["camera_code"] for m in group["members"]] == ["ST-0001", "ST-0002"]
    window = client.get(
        "/api/v1/outages",
        params={"cluster": "ST", "start": "2026-10-01", "end": "2026-10-15"},
        headers=auth(seed, "police"),
    ).json()
    assert [i["camera_code"] for i in window["items"]] == ["ST-0002", "ST-0001"]
    crew = client.get("/api/v1/outages", headers=auth(seed, "crew")).json()
    assert crew["total"] == 3
    assert all(i["camera_code"] != "BS-0001" for i in crew["items"])
    assert client.get("/api/v1/outages").status_code == 401
    bad = client.get("/api/v1/outages", params={"fault": "smoke"}, headers=auth(seed, "police"))
    assert bad.status_code == 422


def test_csv_and_xlsx_exports_hold_the_filtered_rows_in_vietnamese(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    params = {"cluster": "ST", "state": "closed"}
    answer = client.get(
        "/api/v1/outages/export", params=params | {"format": "csv"}, headers=auth(seed, "police")
    )
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Loại", "Mã camera", "Tên camera"]
    assert [r[1] for r in rows[1:]] == ["Xã Tịnh Phong", "ST-0001", "ST-0002", "ST-0002", "ST-0001"]
    assert rows[-1][9] == "Mất kết nối" and rows[-1][4] == "Xã Tịnh Phong"
    xlsx = client.get(
        "/api/v1/outages/export", params=params | {"format": "xlsx"}, headers=auth(seed, "police")
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    data, filters = book.worksheets
    assert [c.value for c in data[1]][:2] == ["Loại", "Mã camera"]
    assert data.max_row == 6
    assert data.cell(row=5, column=10).value == "Hình mờ"
    written = {row[0].value: row[1].value for row in filters.iter_rows(min_row=2)}
    assert written["Cụm"] == "Huyện Sơn Tịnh (ST)"
    assert written["Tình trạng sự cố"] == "Đã kết thúc"


def test_pdf_export_reads_back_with_filters_and_vietnamese(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    answer = client.get(
        "/api/v1/outages/export",
        params={"format": "pdf", "cluster": "BS", "start": "2026-10-01T00:00"},
        headers=auth(seed, "police"),
    )
    assert answer.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Danh sách sự cố camera" in text
    assert "Huyện Bình Sơn (BS)" in text and "2026-10-01 00:00" in text
    assert "BS-0001" in text and "Không có luồng video" in text
    assert "ST-0001" not in text
    english = client.get(
        "/api/v1/outages/export", params={"format": "pdf", "lang": "en"}, headers=auth(seed, "crew")
    )
    text_en = PdfReader(io.BytesIO(english.content)).pages[0].extract_text()
    assert "Camera outages" in text_en and "BS-0001" not in text_en


def test_thumbnails_are_scoped(client: TestClient, seed: Seed, outages: OutageSeed) -> None:
    url = "/api/v1/cameras/BS-0001/thumbnails/{}.jpg"
    good = client.get(url.format("last_good"), headers=auth(seed, "police"))
    assert good.status_code == 200 and good.content[:2] == b"\xff\xd8"
    assert client.get(url.format("last_fault"), headers=auth(seed, "police")).status_code == 200
    assert client.get(url.format("last_good"), headers=auth(seed, "crew")).status_code == 404
    st2 = client.get("/api/v1/cameras/ST-0002/thumbnails/last_good.jpg", headers=auth(seed, "crew"))
    assert st2.status_code == 404  # no picture yet
    assert client.get(url.format("last_good")).status_code == 401


def test_absurd_dates_get_a_clear_error(client: TestClient, seed: Seed) -> None:
    police = auth(seed, "police")
    for url in (
        "/api/v1/outages?start=0001-01-01",
        "/api/v1/coverage?lat=15.1&lon=108.8&start=0001-01-01",
        "/api/v1/reports/availability?period=0000-01",
        "/api/v1/outages?start=yesterday",
    ):
        answer = client.get(url, headers=police)
        assert answer.status_code == 422, (url, answer.status_code, answer.text[:200])
