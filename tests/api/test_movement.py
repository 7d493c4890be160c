"""Movement-models API and pages through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from api.deps import SESSION_COOKIE
from monitor.core.models import AuditEntry, Camera, Incident, IncidentKind
from tests.api.conftest import auth
from tests.movement_data import seed_movement
from tests.registry_data import Seed


@pytest.fixture
def movement(client: TestClient, seed: Seed) -> Seed:
    """The API test registry plus one movement instance of each built-in type."""
    seed_movement(client.app.state.db)
    return seed


def _page(client: TestClient, seed: Seed, role: str, path: str, **kw: object):
    client.cookies.set(SESSION_COOKIE, seed.tokens[role])
    try:
        return client.get(path, follow_redirects=False, **kw)
    finally:
        client.cookies.clear()


def test_create_review_and_read_back_with_camera_health(client: TestClient, movement: Seed) -> None:
    tech, police = auth(movement, "technician"), auth(movement, "police")
    body = {
        "code": "ST-CAM-09",
        "type_code": "camera-an-ninh",
        "name": "Camera an ninh chợ Tịnh Phong",
        "unit_name": "Ban quản lý chợ",
        "unit_kind": "agency",
        "area_code": "ST-TP",
        "camera_codes": ["ST-0002"],
        "dossier_done": ["Kế hoạch triển khai"],
        "budgets": [{"year": 2026, "amount_vnd": 12000000}],
    }
    created = client.post("/api/v1/movement/instances", json=body, headers=tech)
    assert created.status_code == 201, created.text
    assert created.json()["dossier_completeness"] == 20.0
    assert created.json()["camera_codes"] == ["ST-0002"]
    with client.app.state.db.session() as s:
        camera_id = s.scalar(select(Camera.id).where(Camera.code == "ST-0002"))
        s.get(Camera, camera_id).created_at = datetime.now(UTC) - timedelta(days=30)
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
        s.add(
            Incident(
                kind=IncidentKind.CAMERA,
                camera_id=camera_id,
                state="degraded",
                started_at=start,
                ended_at=start + timedelta(hours=6),
                faults=["blur"],
            )
        )
    today = datetime.now(UTC).date()
    review = {
        "kind": "final",
        "reviewed_on": today.isoformat(),
        "period_start": (today - timedelta(days=10)).isoformat(),
        "period_end": today.isoformat(),
        "rating": "fair",
        "decision": "consolidate",
        "reviewer": "Ban Chỉ đạo 138 xã",
        "findings": "Hai camera thường xuyên mất tín hiệu.",
    }
    answer = client.post("/api/v1/movement/instances/ST-CAM-09/reviews", json=review, headers=tech)
    assert answer.status_code == 201, answer.text
    health = answer.json()["camera_health"]
    [camera] = health["cameras"]
    assert camera["downtime_seconds"] == 6 * 3600  # a degraded spell is unavailable time
    assert health["availability"] == round(1 - 6 * 3600 / camera["monitored_seconds"], 4)
    shown = client.get("/api/v1/movement/instances/ST-CAM-09", headers=police).json()
    assert shown["status"] == "to_consolidate" and shown["last_reviewed_on"] == today.isoformat()
    [listed] = client.get("/api/v1/movement/instances/ST-CAM-09/reviews", headers=police).json()
    assert listed["camera_health"] == health  # frozen when recorded
    audit = client.get(
        "/api/v1/audit?entity=movement_instance&entity_id=ST-CAM-09",
        headers=auth(movement, "admin"),
    ).json()["items"]
    assert {e["action"] for e in audit} == {"create", "review"}
    assert all(e["username"] == "technician1" for e in audit)


def test_listing_filters_and_validation_errors(client: TestClient, movement: Seed) -> None:
    police, tech = auth(movement, "police"), auth(movement, "technician")
    page = client.get("/api/v1/movement/instances?area=BS&limit=1", headers=police).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    one = client.get("/api/v1/movement/instances?type=ho-an-toan", headers=police).json()
    assert [i["code"] for i in one["items"]] == ["ST-HAT-01"]
    bad = client.patch(
        "/api/v1/movement/instances/ST-HAT-01", headers=tech, json={"camera_codes": ["ST-0001"]}
    )
    assert bad.status_code == 422 and "does not link cameras" in bad.json()["detail"]
    repeated = client.patch(
        "/api/v1/movement/instances/ST-HAT-01",
        headers=tech,
        json={"budgets": [{"year": 2025, "amount_vnd": 1}, {"year": 2025, "amount_vnd": 2}]},
    )
    assert repeated.status_code == 422
    assert client.get("/api/v1/movement/instances/NOPE", headers=police).status_code == 404
    assert client.get("/api/v1/movement/types", headers=auth(movement, "crew")).status_code == 403


def test_import_rejects_with_problems_then_accepts(client: TestClient, movement: Seed) -> None:
    tech = auth(movement, "technician")
    bad = (
        "Mã mô hình,Mã loại mô hình,Tên mô hình,Đơn vị thực hiện,Mã địa bàn\n"
        "ST-HAT-05,ho-an-toan,Hộ an toàn,Thôn,NO-AREA\n"
    ).encode()
    answer = client.post(
        "/api/v1/movement/instances/import",
        headers=tech,
        files={"file": ("mh.csv", bad, "text/csv")},
    )
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"row": 2, "column": "Mã địa bàn", "reason": "unknown area code 'NO-AREA'"}
    ]
    good = bad.replace(b"NO-AREA", b"ST-TP")
    answer = client.post(
        "/api/v1/movement/instances/import",
        headers=tech,
        files={"file": ("mh.csv", good, "text/csv")},
    )
    assert answer.status_code == 200 and answer.json()["created"] == 1


def test_report_json_and_exports(client: TestClient, movement: Seed) -> None:
    police = auth(movement, "police")
    report = client.get(
        "/api/v1/movement/report?area=ST&year=2025&as_of=2025-12-31", headers=police
    ).json()
    assert report["instances_total"] == 2 and report["area_name"] == "Huyện Sơn Tịnh"
    assert {r["code"] for r in report["overdue"]} == {"ST-CAM-01", "ST-HAT-01"}
    xlsx = client.get(
        "/api/v1/movement/report/export?format=xlsx&area=ST&year=2025", headers=police
    )
    assert xlsx.status_code == 200 and "movement-report-ST" in xlsx.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.content))
    targets = list(workbook["Chỉ tiêu"].iter_rows(values_only=True))
    assert targets[1][1] == "Hộ an toàn" and targets[1][4] == 120
    pdf = client.get("/api/v1/movement/report/export?format=pdf&lang=en", headers=police)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Whole province" in text and "Camera an ninh xã Tịnh Phong" in text


@pytest.mark.parametrize(
    "role,status", [("admin", 200), ("technician", 200), ("police", 200), ("crew", 403)]
)
def test_pages_render_for_the_right_roles(
    client: TestClient, movement: Seed, role: str, status: int
) -> None:
    for path in ("/movement", "/movement/ST-CAM-01", "/movement/report?area=ST"):
        page = _page(client, movement, role, path)
        assert page.status_code == status, (path, page.status_code)
        if status == 200:
            assert "Camera an ninh xã Tịnh Phong" in page.text
    listing = _page(client, movement, role, "/movement")
    if role == "crew":
        assert "Không có quyền truy cập" in listing.text
        return
    assert ('href="/movement"' in listing.text) and "Mô hình phong trào" in listing.text
    edit_links = 'id="m-new"' in listing.text
    assert edit_links == (role != "police")
    english = _page(client, movement, role, "/movement/report?lang=en")
    assert "Movement models report" in english.text and "Overdue for review" in english.text


def test_police_cannot_reach_the_edit_pages(client: TestClient, movement: Seed) -> None:
    for path in ("/movement/new", "/movement/import", "/movement/ST-CAM-01/edit"):
        assert _page(client, movement, "police", path).status_code == 403
        assert _page(client, movement, "technician", path).status_code == 200
    assert _page(client, movement, "police", "/movement/ST-CAM-01").status_code == 200
    anonymous = client.get("/movement", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_editor_pages_change_the_registry(client: TestClient, movement: Seed) -> None:
    client.cookies.set(SESSION_COOKIE, movement.tokens["technician"])
    try:
        form = {
            "name": "Camera an ninh xã Tịnh Phong",
            "unit_name": "Công an xã Tịnh Phong",
            "responsible_person": "Võ Minh Tuấn",
            "responsible_phone": "0905 000 111",
            "status": "under_review",
            "dossier": ["Kế hoạch triển khai", "Cam kết chia sẻ hình ảnh"],
            "camera_codes": "ST-0001",
            "notes": "",
        }
        saved = client.post("/movement/ST-CAM-01/edit", data=form, follow_redirects=False)
        assert saved.status_code == 303, saved.text
        review = {
            "kind": "interim",
            "reviewed_on": "2025-12-20",
            "period_start": "2025-01-01",
            "period_end": "2025-12-15",
            "rating": "excellent",
            "decision": "replicate",
            "reviewer": "Ban Chỉ đạo 138 huyện",
        }
        posted = client.post("/movement/ST-CAM-01/reviews", data=review, follow_redirects=False)
        assert posted.status_code == 303 and posted.headers["location"] == "/movement/ST-CAM-01"
        wrong = dict(review, period_end="2024-01-01")
        refused = client.post("/movement/ST-CAM-01/reviews", data=wrong, follow_redirects=False)
        assert refused.status_code == 422
        assert 'id="err-period_end">Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.' in refused.text
        assert 'value="2024-01-01"' in refused.text and "pydantic" not in refused.text
        detail = client.get("/movement/ST-CAM-01")
        assert "Võ Minh Tuấn" in detail.text and "Nhân rộng" in detail.text
        assert "☑ Cam kết chia sẻ hình ảnh" in detail.text
        upload = (
            "Mã mô hình,Mã loại mô hình,Tên mô hình,Đơn vị thực hiện,Mã địa bàn\n"
            "BS-XX-1,no-type,Tên,Đơn vị,BS\n"
        ).encode()
        rejected = client.post("/movement/import", files={"file": ("a.csv", upload, "text/csv")})
        assert rejected.status_code == 422 and "no-type" in rejected.text
        new = {
            "code": "BS-TH-07",
            "type_code": "truong-hoc-van-minh",
            "name": "Trường THCS X",
            "unit_name": "Trường THCS X",
            "area_code": "BS-BT",
            "unit_kind": "school",
        }
        made = client.post("/movement/new", data=new, follow_redirects=False)
        assert made.status_code == 303 and made.headers["location"] == "/movement/BS-TH-07"
    finally:
        client.cookies.clear()
    shown = client.get(
        "/api/v1/movement/instances/ST-CAM-01", headers=auth(movement, "police")
    ).json()
    assert shown["status"] == "replicated" and shown["camera_codes"] == ["ST-0001"]
    with client.app.state.db.session() as s:
        actions = set(
            s.scalars(
                select(AuditEntry.action).where(AuditEntry.entity_id.in_(["ST-CAM-01", "BS-TH-07"]))
            )
        )
    assert {"update", "review", "create"} <= actions


def test_types_page_lists_builtin_types_and_only_admins_add(
    client: TestClient, movement: Seed
) -> None:
    page = _page(client, movement, "police", "/movement/types")
    assert page.status_code == 200 and "Đội công nhân xung kích tự quản về ANTT" in page.text
    assert "VSIP Quảng Ngãi" in page.text and 'id="type-form"' not in page.text
    form = {
        "code": "ben-do-an-toan",
        "name_vi": "Bến đò an toàn",
        "name_en": "Safe ferry",
        "dossier_template": "Quyết định thành lập\nDanh sách người lái đò\n",
    }
    for role in ("technician", "police"):
        client.cookies.set(SESSION_COOKIE, movement.tokens[role])
        assert client.post("/movement/types", data=form).status_code == 403
    client.cookies.set(SESSION_COOKIE, movement.tokens["admin"])
    try:
        assert 'id="type-form"' in client.get("/movement/types").text
        added = client.post("/movement/types", data=form, follow_redirects=False)
        assert added.status_code == 303
        again = client.post("/movement/types", data=form)
        assert again.status_code == 422 and "Mã này đã có" in again.text
    finally:
        client.cookies.clear()
    [added_type] = [
        t
        for t in client.get("/api/v1/movement/types", headers=auth(movement, "police")).json()
        if t["code"] == "ben-do-an-toan"
    ]
    assert added_type["dossier_template"] == ["Quyết định thành lập", "Danh sách người lái đò"]
    assert added_type["builtin"] is False
