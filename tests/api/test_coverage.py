"""Coverage look-up API and availability report API (SQLite and PostgreSQL)."""

from __future__ import annotations

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


def test_coverage_by_coordinates_and_by_camera(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    at_group = {"lat": 15.15, "lon": 108.78, "radius_m": 500, "start": "2026-10-20T13:30"}
    answer = client.get("/api/v1/coverage", params=at_group, headers=auth(seed, "police"))
    assert answer.status_code == 200
    cams = answer.json()["cameras"]
    assert [(c["code"], c["status"]) for c in cams] == [("ST-0001", "down"), ("ST-0002", "down")]
    day = {"camera": "ST-0002", "radius_m": 10000, "start": "2026-10-01", "end": "2026-10-02"}
    ranged = client.get("/api/v1/coverage", params=day, headers=auth(seed, "technician")).json()
    found = {c["code"]: c for c in ranged["cameras"]}
    assert found["ST-0001"]["status"] == "partial"
    assert found["ST-0001"]["down_seconds"] == 4 * 3600
    assert found["BS-0001"]["status"] == "working"
    assert ranged["range_seconds"] == 86400


def test_coverage_roles_and_bad_questions(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    place = {"lat": 15.15, "lon": 108.78, "start": "2026-10-20"}
    assert (
        client.get("/api/v1/coverage", params=place, headers=auth(seed, "crew")).status_code == 403
    )
    assert client.get("/api/v1/coverage", params=place).status_code == 401
    police = auth(seed, "police")
    no_time = client.get("/api/v1/coverage", params={"lat": 15.15, "lon": 108.78}, headers=police)
    no_place = client.get("/api/v1/coverage", params={"start": "2026-10-20"}, headers=police)
    unknown = client.get(
        "/api/v1/coverage", params={"camera": "XX-9", "start": "2026-10-20"}, headers=police
    )
    assert (no_time.status_code, no_place.status_code, unknown.status_code) == (422, 422, 404)


def test_availability_report_and_exports(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    police = auth(seed, "police")
    report = client.get(
        "/api/v1/reports/availability", params={"period": "2026-10"}, headers=police
    ).json()
    assert next(c["code"] for c in report["worst"]) == "BS-0001"
    assert report["crews"] == [
        {"crew": "Tổ sửa chữa Sơn Tịnh", "tickets": 1, "mean_repair_seconds": 10800.0}
    ]
    assert (
        client.get(
            "/api/v1/reports/availability", params={"period": "2026-10"}, headers=auth(seed, "crew")
        ).status_code
        == 403
    )
    xlsx = client.get(
        "/api/v1/reports/availability/export",
        params={"period": "2026-10", "format": "xlsx"},
        headers=police,
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[1] == "Theo cụm"
    clusters = {row[0]: row[2] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert clusters == {"Huyện Bình Sơn": "31.32%", "Huyện Sơn Tịnh": "97.98%"}
    pdf = client.get(
        "/api/v1/reports/availability/export",
        params={"period": "2026-10", "format": "pdf"},
        headers=police,
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Báo cáo tỷ lệ hoạt động 2026-10" in text
    assert "Camera hoạt động kém nhất" in text and "Tổ sửa chữa Sơn Tịnh" in text
