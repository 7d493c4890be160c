"""Areas over the API: a commune police user sees exactly its commune; area import and export."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.api.conftest import auth
from tests.monitor.reports.outage_data import OutageSeed, seed_outages
from tests.registry_data import Seed, seed_registry, to_csv


@pytest.fixture
def seed(database: Database, settings: Settings) -> Seed:
    """The test registry without tickets opened now."""
    return seed_registry(database, CameraRules.from_settings(settings))


@pytest.fixture
def outages(database: Database, seed: Seed) -> OutageSeed:
    """October 2026 outages (ST-0001, ST-0002 and a group in Tịnh Phong; BS-0001 in Bình Sơn)."""
    return seed_outages(database, seed.crew_ids["st"])


def test_a_commune_police_user_sees_exactly_its_commune(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    admin = auth(seed, "admin")
    # A neighbouring commune in the same cluster, with a camera next to Tịnh Phong's.
    area = {"code": "ST-TK", "name": "Xã Tịnh Khê", "level": "commune", "parent_code": "ST"}
    assert client.post("/api/v1/areas", json=area, headers=admin).status_code == 201
    camera = {
        "code": "ST-0003",
        "name": "Chợ Tịnh Khê",
        "area_code": "ST-TK",
        "onvif_host": "127.0.0.1",
        "latitude": 15.151,
        "longitude": 108.781,
    }
    assert client.post("/api/v1/cameras", json=camera, headers=admin).status_code == 201
    post = auth(seed, "police_commune")

    cams = client.get("/api/v1/cameras", headers=post).json()
    assert {c["code"] for c in cams["items"]} == {"ST-0001", "ST-0002"}
    assert client.get("/api/v1/cameras/ST-0003", headers=post).status_code == 404
    assert client.get("/api/v1/cameras/BS-0001", headers=post).status_code == 404

    listed = client.get("/api/v1/outages", params={"start": "2026-10-01"}, headers=post).json()
    places = {(o["camera_code"] or o["group_key"], o["commune"]) for o in listed["items"]}
    assert places == {
        ("ST-0001", "Xã Tịnh Phong"),
        ("ST-0002", "Xã Tịnh Phong"),
        ("commune:ST-TP", "Xã Tịnh Phong"),
    }
    province_wide = client.get("/api/v1/outages", headers=auth(seed, "police")).json()
    assert province_wide["total"] == 4

    near = {"lat": 15.15, "lon": 108.78, "radius_m": 20000, "start": "2026-10-20T13:30"}
    found = client.get("/api/v1/coverage", params=near, headers=post).json()
    assert {c["code"] for c in found["cameras"]} == {"ST-0001", "ST-0002"}
    everyone = client.get("/api/v1/coverage", params=near, headers=auth(seed, "police")).json()
    assert {c["code"] for c in everyone["cameras"]} == {"ST-0001", "ST-0002", "ST-0003", "BS-0001"}

    report = client.get(
        "/api/v1/reports/availability", params={"period": "2026-10"}, headers=post
    ).json()
    assert {c["code"] for c in report["cameras"]} == {"ST-0001", "ST-0002"}
    assert [c["name"] for c in report["communes"]] == ["Xã Tịnh Phong"]

    tickets = client.get("/api/v1/tickets", headers=post).json()
    assert tickets["total"] >= 1
    assert {t["camera"]["code"] if t.get("camera") else "" for t in tickets["items"]} <= {
        "ST-0001",
        "ST-0002",
        "",
    }
    codes = {a["code"] for a in client.get("/api/v1/areas", headers=post).json()["items"]}
    assert codes == {"QNG", "ST", "ST-TP", "ST-TP-1"}
    assert client.get("/api/v1/areas/ST", headers=post).status_code == 200  # its cluster
    assert client.get("/api/v1/areas/ST-TK", headers=post).status_code == 404  # a neighbour
    crews = client.get("/api/v1/crews", headers=post).json()["items"]
    assert [c["name"] for c in crews] == ["Tổ sửa chữa Sơn Tịnh"]  # whom to call about repairs
    assert [a["code"] for a in crews[0]["areas"]] == ["ST"]


def test_areas_import_and_export_over_the_api(client: TestClient, seed: Seed) -> None:
    admin = auth(seed, "admin")
    good = to_csv(
        ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên"],
        [
            ["LS", "Đặc khu Lý Sơn", "Đặc khu", "QNG"],
            ["LS-1", "Thôn Đông", "Thôn", "LS"],
            ["ST-TP", "Xã Tịnh Phong", "Xã", "ST"],
        ],
    )
    answer = client.post(
        "/api/v1/areas/import", files={"file": ("areas.csv", good, "text/csv")}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "rows": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 1,  # Tịnh Phong is already registered as it is
        "retired": [],
        "moved_cameras": 0,
    }
    bad = to_csv(["code", "name", "kind", "parent_code"], [["LS-2", "Thôn Tây", "thôn", "QNG"]])
    refused = client.post(
        "/api/v1/areas/import", files={"file": ("areas.csv", bad, "text/csv")}, headers=admin
    )
    assert refused.status_code == 422
    assert "commune" in refused.text and "LS-2" not in {
        a["code"] for a in client.get("/api/v1/areas?limit=1000", headers=admin).json()["items"]
    }
    police = client.post(
        "/api/v1/areas/import",
        files={"file": ("areas.csv", good, "text/csv")},
        headers=auth(seed, "police"),
    )
    assert police.status_code == 403
    export = client.get("/api/v1/areas/export", params={"format": "csv"}, headers=admin)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã đơn vị", "Tên đơn vị", "Cấp", "Loại đơn vị"]
    assert ["LS", "Đặc khu Lý Sơn", "commune", "special_zone", "QNG"] in [r[:5] for r in rows]
