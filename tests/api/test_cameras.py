"""Camera registry through the API: CRUD, scoping, secrets, address guard, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from monitor.core.crypto import SecretBox
from monitor.core.db import Database
from monitor.core.models import Camera
from monitor.core.settings import Settings
from tests.api.conftest import auth
from tests.registry_data import CAMERA_PASSWORD, Seed

NEW = {
    "code": "ST-0100",
    "name": "Ngã ba Tịnh Phong",
    "area_code": "ST-TP",
    "onvif_host": "127.0.0.1",
    "onvif_port": 8000,
    "username": "admin",
    "password": "S3cret-Pass!",
    "expected_width": 1280,
    "expected_height": 720,
    "expected_codec": "H264",
    "importance": 5,
    "tags": ["ngã ba", "QL24B"],
    "probe_profile": {"tcp": 60, "rtsp": 600},
    "latitude": 15.16,
    "longitude": 108.79,
}


def test_create_read_update_delete(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    created = client.post("/api/v1/cameras", json=NEW, headers=tech)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["area"]["code"] == "ST-TP"
    assert body["has_password"] is True
    assert body["tags"] == ["ngã ba", "QL24B"]
    changed = client.patch(
        "/api/v1/cameras/ST-0100", json={"importance": 2, "enabled": False}, headers=tech
    )
    assert changed.json()["importance"] == 2 and changed.json()["enabled"] is False
    assert client.get("/api/v1/cameras/ST-0100", headers=tech).json()["importance"] == 2
    assert client.delete("/api/v1/cameras/ST-0100", headers=tech).status_code == 204
    assert client.get("/api/v1/cameras/ST-0100", headers=tech).status_code == 404


def test_duplicate_code_is_a_conflict(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    assert client.post("/api/v1/cameras", json=NEW, headers=tech).status_code == 201
    assert client.post("/api/v1/cameras", json=NEW, headers=tech).status_code == 409


def test_address_outside_allowed_networks_is_refused(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    for field, value in [("onvif_host", "8.8.8.8"), ("rtsp_url", "rtsp://10.1.2.3/live")]:
        answer = client.post("/api/v1/cameras", json={**NEW, field: value}, headers=tech)
        assert answer.status_code == 422, answer.text
        assert "outside the allowed probe networks" in answer.text
    moved = client.patch("/api/v1/cameras/ST-0001", json={"onvif_host": "1.1.1.1"}, headers=tech)
    assert moved.status_code == 422
    assert client.get("/api/v1/cameras/ST-0001", headers=tech).json()["onvif_host"] == "127.0.0.1"


def test_credentials_in_urls_are_refused(client: TestClient, seed: Seed) -> None:
    answer = client.post(
        "/api/v1/cameras",
        json={**NEW, "rtsp_url": "rtsp://admin:pw@127.0.0.1/live"},
        headers=auth(seed, "technician"),
    )
    assert answer.status_code == 422


def test_password_is_encrypted_at_rest_and_never_returned(
    client: TestClient, seed: Seed, database: Database, settings: Settings
) -> None:
    client.post("/api/v1/cameras", json=NEW, headers=auth(seed, "admin"))
    with database.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT password_encrypted FROM cameras"))]
    assert stored and all(
        v and "S3cret-Pass!" not in v and CAMERA_PASSWORD not in v for v in stored
    )
    with database.session() as s:
        cam = s.scalar(select(Camera).where(Camera.code == "ST-0100"))
        assert (
            SecretBox(settings.resolved_secret_key).decrypt(cam.password_encrypted)
            == "S3cret-Pass!"
        )
    for role in ("admin", "technician", "police", "crew"):
        for url in (
            "/api/v1/cameras",
            "/api/v1/cameras/ST-0100",
            "/api/v1/cameras/ST-0001",
            "/api/v1/cameras/export?format=csv",
            "/api/v1/audit",
        ):
            answer = client.get(url, headers=auth(seed, role))
            assert "S3cret-Pass!" not in answer.text and CAMERA_PASSWORD not in answer.text
            assert "password_encrypted" not in answer.text


def test_listing_filters_pages_and_searches(client: TestClient, seed: Seed) -> None:
    police = auth(seed, "police")
    everything = client.get("/api/v1/cameras", headers=police).json()
    assert everything["total"] == 3
    in_district = client.get("/api/v1/cameras?area=ST", headers=police).json()
    assert {c["code"] for c in in_district["items"]} == {"ST-0001", "ST-0002"}
    village = client.get("/api/v1/cameras?area=ST-TP-1", headers=police).json()
    assert [c["code"] for c in village["items"]] == ["ST-0001"]
    page = client.get("/api/v1/cameras?limit=2&offset=2", headers=police).json()
    assert page["total"] == 3 and [c["code"] for c in page["items"]] == ["ST-0002"]
    found = client.get("/api/v1/cameras?q=bs-00", headers=police).json()
    assert [c["code"] for c in found["items"]] == ["BS-0001"]


def test_crew_sees_only_its_districts(client: TestClient, seed: Seed) -> None:
    crew = auth(seed, "crew")
    cams = client.get("/api/v1/cameras", headers=crew).json()
    assert {c["code"] for c in cams["items"]} == {"ST-0001", "ST-0002"}
    hosts = client.get("/api/v1/hosts", headers=crew).json()
    assert [h["name"] for h in hosts["items"]] == ["Trường THCS Tịnh Phong"]
    assert hosts["items"][0]["contact_phone"] == "0905111222"
    assert "0914333444" not in client.get("/api/v1/cameras?limit=1000", headers=crew).text
    export = client.get("/api/v1/cameras/export?format=csv", headers=crew).text
    assert "ST-0001" in export and "BS-0001" not in export and "0914333444" not in export
    areas = {a["code"] for a in client.get("/api/v1/areas", headers=crew).json()["items"]}
    assert "BS" not in areas and "ST" in areas
    police_hosts = client.get("/api/v1/hosts", headers=auth(seed, "police")).json()
    assert {h["contact_phone"] for h in police_hosts["items"]} == {"0905111222", "0914333444"}


def test_crew_in_its_district_sees_camera_with_host_phone(client: TestClient, seed: Seed) -> None:
    camera = client.get("/api/v1/cameras/ST-0001", headers=auth(seed, "crew")).json()
    assert camera["host"]["contact_phone"] == "0905111222"


def test_every_change_is_audited_with_old_and_new_values(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    client.patch(
        "/api/v1/cameras/ST-0001",
        json={"name": "Cổng trường", "password": "newpass1"},
        headers=tech,
    )
    log = client.get(
        "/api/v1/audit?entity=camera&entity_id=ST-0001", headers=auth(seed, "admin")
    ).json()
    latest = log["items"][0]
    assert latest["username"] == "technician1" and latest["action"] == "update"
    assert latest["changes"]["name"] == ["Camera ST-0001", "Cổng trường"]
    assert latest["changes"]["password"] == ["***", "***"]
    assert "newpass1" not in str(log)


def test_maintenance_window_must_end_after_start(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    bad = {"starts_at": "2026-12-01T12:00:00+07:00", "ends_at": "2026-12-01T08:00:00+07:00"}
    assert (
        client.post("/api/v1/cameras/ST-0001/maintenance", json=bad, headers=tech).status_code
        == 422
    )
    good = {
        "starts_at": "2026-12-01T08:00:00+07:00",
        "ends_at": "2026-12-01T12:00:00+07:00",
        "reason": "thay nguồn",
    }
    assert (
        client.post("/api/v1/cameras/ST-0001/maintenance", json=good, headers=tech).status_code
        == 201
    )
    windows = client.get("/api/v1/cameras/ST-0001/maintenance", headers=tech).json()
    assert [w["reason"] for w in windows] == ["thay nguồn"]


def test_unknown_fields_are_rejected(client: TestClient, seed: Seed) -> None:
    answer = client.post(
        "/api/v1/cameras", json={**NEW, "colour": "red"}, headers=auth(seed, "admin")
    )
    assert answer.status_code == 422


def test_import_endpoint_reports_every_problem_and_writes_nothing(
    client: TestClient, seed: Seed
) -> None:
    from tests.registry_data import IMPORT_HEADER_EN, camera_rows, to_csv

    tech = auth(seed, "technician")
    rows = camera_rows(40)
    rows[5][10] = "not an address!"
    rows[6][15] = "-3"
    files = {"file": ("cams.csv", to_csv(IMPORT_HEADER_EN, rows), "text/csv")}
    answer = client.post("/api/v1/cameras/import", files=files, headers=tech)
    assert answer.status_code == 422
    assert {(p["row"], p["column"]) for p in answer.json()["problems"]} == {
        (7, "onvif_host"),
        (8, "expected_height"),
    }
    assert client.get("/api/v1/cameras", headers=tech).json()["total"] == 3
    files = {"file": ("cams.csv", to_csv(IMPORT_HEADER_EN, camera_rows(40)), "text/csv")}
    done = client.post("/api/v1/cameras/import", files=files, headers=tech).json()
    assert done["created"] == 40
    assert client.get("/api/v1/cameras", headers=tech).json()["total"] == 43


def test_export_in_both_languages_reads_back(client: TestClient, seed: Seed) -> None:
    import io

    from openpyxl import load_workbook

    police = auth(seed, "police")
    xlsx = client.get("/api/v1/cameras/export?format=xlsx&lang=en", headers=police)
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Name") and len(rows) == 4
    csv_text = client.get("/api/v1/cameras/export?format=csv", headers=police).content
    assert csv_text.startswith("\ufeffMã camera".encode())
    assert "Trường THCS Tịnh Phong" in csv_text.decode("utf-8-sig")


def test_password_in_a_url_query_is_refused(client: TestClient, seed: Seed) -> None:
    url = "http://127.0.0.1/cgi-bin/snapshot.cgi?user=admin&pwd=S3cret"
    answer = client.post(
        "/api/v1/cameras", json={**NEW, "snapshot_url": url}, headers=auth(seed, "admin")
    )
    assert answer.status_code == 422 and "S3cret" not in answer.text


def test_validation_errors_do_not_echo_passwords(client: TestClient, seed: Seed) -> None:
    short = client.post(
        "/api/v1/users",
        json={"username": "x1", "role": "police", "password": "Short1!"},
        headers=auth(seed, "admin"),
    )
    assert short.status_code == 422 and "Short1!" not in short.text
    typo = client.patch(
        "/api/v1/cameras/ST-0001", json={"pasword": "Hidden#99"}, headers=auth(seed, "admin")
    )
    assert typo.status_code == 422 and "Hidden#99" not in typo.text


def test_maintenance_times_keep_their_offset(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    body = {"starts_at": "2026-12-01T08:00:00+07:00", "ends_at": "2026-12-01T12:00:00"}
    assert (
        client.post("/api/v1/cameras/ST-0001/maintenance", json=body, headers=tech).status_code
        == 201
    )
    [window] = client.get("/api/v1/cameras/ST-0001/maintenance", headers=tech).json()
    assert window["starts_at"].startswith("2026-12-01T01:00:00")  # 08:00 in Vietnam is 01:00 UTC
    assert window["ends_at"].startswith("2026-12-01T05:00:00")  # no offset: Vietnam time


def test_a_camera_with_outage_history_cannot_be_deleted(client: TestClient, seed: Seed) -> None:
    answer = client.delete("/api/v1/cameras/ST-0001", headers=auth(seed, "admin"))
    assert answer.status_code == 409 and "disable it" in answer.text
    assert client.get("/api/v1/cameras/ST-0001", headers=auth(seed, "admin")).status_code == 200


def test_reference_upload_rejects_what_is_not_a_usable_picture(
    client: TestClient, seed: Seed
) -> None:
    import cv2
    import numpy as np

    tech = auth(seed, "technician")
    tiny = cv2.imencode(".png", np.zeros((1, 1, 3), np.uint8))[1].tobytes()
    for name, data in (("tiny.png", tiny), ("junk.jpg", b"\xff\xd8 not really")):
        answer = client.put(
            "/api/v1/cameras/ST-0001/reference",
            files={"file": (name, data, "image/png")},
            headers=tech,
        )
        assert answer.status_code == 422, answer.text
