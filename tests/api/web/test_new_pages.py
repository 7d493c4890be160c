"""The registry, admin and field pages and the camera-state API, through the app."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import cv2
import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select

from monitor.core.db import Database
from monitor.core.models import (
    ApiToken,
    AuditEntry,
    Camera,
    MaintenanceWindow,
    Notification,
    NotificationState,
    ProbeRecord,
    ReferenceView,
    TokenKind,
    User,
)
from tests.api.conftest import auth
from tests.api.web.test_pages import login_as as _login_as
from tests.monitor.reports.outage_data import OutageSeed
from tests.registry_data import PASSWORD, Seed


def login_as(client: TestClient, seed: Seed, role: str) -> None:
    """Log in as this role, ending the previous session of the client first."""
    client.cookies.clear()
    _login_as(client, seed, role)


def _codes(html: str) -> list[str]:
    return re.findall(r'<tr class="cam" data-code="([^"]+)"', html)


def test_camera_state_api(
    client: TestClient, seed: Seed, outages: OutageSeed, database: Database
) -> None:
    with database.session() as s:
        camera_id = s.scalar(select(Camera.id).where(Camera.code == "BS-0001"))
        for kind, ok, at in [("tcp", True, 1), ("rtsp", False, 2), ("tcp", True, 3)]:
            s.add(
                ProbeRecord(
                    camera_id=camera_id,
                    kind=kind,
                    ok=ok,
                    at=datetime(2026, 10, 10, 10, at, tzinfo=UTC),
                    faults=[] if ok else ["stream_error"],
                    reason="rtsp://admin:secret@127.0.0.1/ refused",
                    metrics={"latency_ms": 3.0},
                )
            )
    answer = client.get("/api/v1/cameras/BS-0001/state", headers=auth(seed, "police"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["state"] == "down"
    since = datetime.fromisoformat(body["since"])
    assert since.tzinfo is not None and since == datetime(2026, 10, 10, 10, tzinfo=UTC)
    assert [f["code"] for f in body["faults"]] == ["stream_error"]
    assert set(body["last_probes"]) == {"tcp", "rtsp"}
    assert body["last_probes"]["tcp"]["at"].startswith("2026-10-10T10:03")
    assert body["last_probes"]["rtsp"]["faults"] == ["stream_error"]
    assert body["open_incident"]["id"] == outages.incidents["bs1_stream"]
    assert body["open_ticket"]["id"] == outages.tickets["bs1"]
    assert "secret" not in answer.text  # probe reasons may name URLs: they are not in the answer
    never = client.get("/api/v1/cameras/ST-0002/state", headers=auth(seed, "crew")).json()
    assert never["state"] == "unknown" and never["open_ticket"] is None
    outside = client.get("/api/v1/cameras/BS-0001/state", headers=auth(seed, "crew"))
    assert outside.status_code == 404


def test_camera_listing_by_state_and_accent_free_text(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    def codes(**params: str) -> list[str]:
        page = client.get("/api/v1/cameras", params=params, headers=auth(seed, "technician"))
        assert page.status_code == 200
        return [c["code"] for c in page.json()["items"]]

    assert codes(state="down") == ["BS-0001"]
    assert codes(state="up") == ["ST-0001"]
    assert codes(state="unknown") == ["ST-0002"]
    assert codes(q="tinh phong") == ["ST-0001", "ST-0002"]  # the commune's name
    assert codes(q="QUOC LO 24b", state="down") == ["BS-0001"]
    assert codes(q="binh thuan") == ["BS-0001"]
    bad = client.get("/api/v1/cameras?state=broken", headers=auth(seed, "technician"))
    assert bad.status_code == 422


def test_camera_page_list_search_and_bulk_actions(
    client: TestClient, seed: Seed, outages: OutageSeed, database: Database
) -> None:
    login_as(client, seed, "technician")
    page = client.get("/cameras", params={"q": "tinh phong"})
    assert page.status_code == 200 and _codes(page.text) == ["ST-0001", "ST-0002"]
    assert _codes(client.get("/cameras", params={"state": "down"}).text) == ["BS-0001"]
    assert _codes(client.get("/cameras", params={"area": "ST-TP-1"}).text) == ["ST-0001"]
    moved = client.post(
        "/cameras/bulk",
        data={"action": "disable", "codes": ["ST-0001", "ST-0002"], "back": "q=tinh"},
    )
    assert moved.status_code == 200 and "Đã cập nhật camera: 2" in moved.text
    assert moved.url.path == "/cameras" and "q=tinh" in str(moved.url)
    with database.session() as s:
        assert not any(s.scalars(select(Camera.enabled).where(Camera.code.like("ST-%"))))
        assert s.scalar(
            select(AuditEntry.id).where(
                AuditEntry.entity_id == "ST-0002", AuditEntry.username == "technician1"
            )
        )
    none = client.post("/cameras/bulk", data={"action": "enable"})
    assert "Chưa chọn camera nào" in none.text
    no_end = client.post("/cameras/bulk", data={"action": "maintenance", "codes": ["ST-0001"]})
    assert "Cần nhập thời điểm kết thúc bảo trì" in no_end.text
    client.post(
        "/cameras/bulk",
        data={"action": "maintenance", "codes": ["ST-0001"], "until": "2099-01-01T08:00"},
    )
    with database.session() as s:
        window = s.scalar(select(MaintenanceWindow))
        assert window is not None and window.ends_at.hour == 1  # 08:00 Vietnam time is 01:00 UTC
    login_as(client, seed, "police")
    assert 'id="bulk-form"' not in client.get("/cameras").text
    refused = client.post("/cameras/bulk", data={"action": "enable", "codes": ["ST-0001"]})
    assert refused.status_code == 403


def test_import_page_lists_every_problem_in_vietnamese(client: TestClient, seed: Seed) -> None:
    login_as(client, seed, "technician")
    csv = (
        "Mã camera,Tên camera,Mã địa bàn,Địa chỉ IP,Vĩ độ\n"
        "IMP-1,Camera một,XX-9,127.0.0.5,15.1\n"
        "IMP-2,Camera hai,ST-TP,127.0.0.6,200\n"
        "IMP-1,Camera ba,ST-TP,127.0.0.7,15.2\n"
    ).encode()
    rejected = client.post("/cameras/import", files={"file": ("cameras.csv", csv, "text/csv")})
    assert rejected.status_code == 422
    rows = re.findall(
        r"<tr><td class=\"num\">(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", rejected.text
    )
    assert ("3", "Vĩ độ", "Phải nhỏ hơn hoặc bằng 90") in rows
    assert ("4", "Mã camera", "Mã camera trùng với dòng 2 của tệp") in rows
    assert any(r[0] == "2" and r[1] == "Mã địa bàn" and "XX-9" in r[2] for r in rows)
    assert all(not re.search(r"[Ii]nput should|unknown|repeats", r[2]) for r in rows)
    good = "code,name,area_code,onvif_host\nIMP-9,Camera nhập,ST-TP,127.0.0.5\n".encode()
    done = client.post("/cameras/import", files={"file": ("c.csv", good, "text/csv")})
    assert done.status_code == 200 and 'id="import-summary"' in done.text
    assert "1 thêm mới" in done.text
    login_as(client, seed, "police")
    assert client.get("/cameras/import").status_code == 403


def _png(grey: int) -> bytes:
    image = np.full((48, 64, 3), grey, np.uint8)
    return cv2.imencode(".png", image)[1].tobytes()


def test_maintenance_and_reference_from_the_camera_page(
    client: TestClient, seed: Seed, outages: OutageSeed, database: Database
) -> None:
    login_as(client, seed, "technician")
    page = client.get("/cameras/ST-0001")
    assert 'id="maintenance-form"' in page.text and 'id="reference-current"' in page.text
    added = client.post(
        "/cameras/ST-0001/maintenance",
        data={"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T12:00", "reason": "Thay"},
    )
    assert added.status_code == 200 and "Đã thêm lịch bảo trì" in added.text
    assert "2026-12-01 08:00" in added.text and "Thay" in added.text
    wrong = client.post(
        "/cameras/ST-0001/maintenance",
        data={"starts_at": "2026-12-01T12:00", "ends_at": "2026-12-01T08:00"},
    )
    assert "kết thúc phải sau bắt đầu" in wrong.text
    uploaded = client.post(
        "/cameras/ST-0001/reference", files={"file": ("ref.png", _png(90), "image/png")}
    )
    assert "Đã đặt hình tham chiếu" in uploaded.text
    with database.session() as s:
        camera_id = s.scalar(select(Camera.id).where(Camera.code == "ST-0001"))
        view = s.get(ReferenceView, camera_id)
        assert view is not None and view.locked and view.updated_by == "technician1"
        first = view.image_png
    bad = client.post(
        "/cameras/ST-0001/reference", files={"file": ("x.png", b"not a picture", "image/png")}
    )
    assert "không phải ảnh" in bad.text
    current = client.post("/cameras/ST-0001/reference/current")  # the last good thumbnail
    assert "Đã đặt hình tham chiếu" in current.text
    with database.session() as s:
        assert s.get(ReferenceView, camera_id).image_png != first
    none = client.post("/cameras/ST-0002/reference/current")  # never pictured
    assert "Chưa có hình nào" in none.text
    login_as(client, seed, "police")
    assert 'id="maintenance-form"' not in client.get("/cameras/ST-0001").text
    assert client.post("/cameras/ST-0001/reference/current").status_code == 403


def test_areas_and_crews_pages(client: TestClient, seed: Seed, outages: OutageSeed) -> None:
    login_as(client, seed, "technician")
    areas = client.get("/areas").text
    assert re.search(r'data-area="ST".*?<td class="num">2</td>', areas, re.S)
    made = client.post(
        "/areas",
        data={"code": "ST-TP-2", "name": "Thôn Mới", "level": "village", "parent_code": "ST-TP"},
    )
    assert made.status_code == 200 and "Thôn Mới" in made.text
    dup = client.post("/areas", data={"code": "ST-TP-2", "name": "X", "level": "village"})
    assert dup.status_code == 422 and 'id="area-error"' in dup.text
    crews = client.get("/crews").text
    assert "Tổ sửa chữa Sơn Tịnh" in crews and "Huyện Sơn Tịnh" in crews
    login_as(client, seed, "crew")
    mine = client.get("/crews").text
    assert 'id="crew-form"' not in mine
    assert client.post("/crews", data={"name": "Tổ mới"}).status_code == 403


def test_admin_creates_a_user_and_a_password_reset_ends_sessions(
    client: TestClient, seed: Seed, database: Database
) -> None:
    login_as(client, seed, "admin")
    created = client.post(
        "/users",
        data={
            "username": "to2",
            "role": "crew",
            "crew_id": str(seed.crew_ids["st"]),
            "password": PASSWORD,
        },
    )
    assert created.status_code == 200 and "Đã tạo người dùng" in created.text
    assert re.search(r'data-user="to2".*?Huyện Sơn Tịnh', created.text, re.S)
    no_crew = client.post("/users", data={"username": "to3", "role": "crew"})
    assert no_crew.status_code == 422 and "phải thuộc một tổ" in no_crew.text
    assert 'value="to3"' in no_crew.text  # what was typed stays
    other = TestClient(client.app)
    assert (
        other.post(
            "/login", data={"username": "to2", "password": PASSWORD}, follow_redirects=False
        ).status_code
        == 303
    )
    assert other.get("/", follow_redirects=False).status_code == 200
    with database.session() as s:
        user = s.scalar(select(User).where(User.username == "to2"))
        user_id = user.id
    short = client.post(f"/users/{user_id}/password", data={"password": "short"})
    assert "ít nhất 8 ký tự" in short.text
    reset = client.post(f"/users/{user_id}/password", data={"password": "new password 2026"})
    assert "các phiên đăng nhập của người này đã kết thúc" in reset.text
    assert other.get("/", follow_redirects=False).status_code == 303  # back to the login
    with database.session() as s:
        kinds = {
            (t.kind, t.revoked)
            for t in s.scalars(select(ApiToken).where(ApiToken.user_id == user_id))
        }
        assert (TokenKind.SESSION, True) in kinds and (TokenKind.API, False) in kinds
    changed = client.post(f"/users/{user_id}", data={"role": "police", "full_name": "Lê Văn D"})
    assert "Đã lưu" in changed.text and "Toàn tỉnh" in changed.text
    log = client.get("/audit", params={"action": "password_reset"}).text
    assert re.search(r"admin1</td><td>password_reset</td><td>user to2", log)
    assert 'id="audit-total">0<' in client.get("/audit", params={"username": "nobody"}).text


def test_dead_letters_page_and_retry(client: TestClient, seed: Seed, database: Database) -> None:
    from tests.monitor.notifiers.tickets_data import dead_notification

    dead = dead_notification(database)
    login_as(client, seed, "admin")
    page = client.get("/notifications").text
    assert f'data-notification="{dead}"' in page and "HTTP 503" in page
    retried = client.post(f"/notifications/{dead}/retry")
    assert retried.status_code == 200 and "Đã xếp lại hàng đợi gửi" in retried.text
    with database.session() as s:
        assert s.get(Notification, dead).state == NotificationState.PENDING
    for role in ("technician", "police", "crew"):
        login_as(client, seed, role)
        assert client.get("/notifications").status_code == 403
        assert client.get("/users").status_code == 403
        assert client.get("/audit").status_code == 403


def test_menus_hold_only_pages_the_role_may_open(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    for role in ("admin", "technician", "police", "crew"):
        login_as(client, seed, role)
        home = client.get("/")
        assert home.status_code == 200
        nav = re.search(r'<nav class="mainnav">(.*?)</nav>', home.text, re.S)
        assert nav is not None
        links = re.findall(r'href="([^"]+)"', nav.group(1))
        assert "/" in links and "/map" in links and "/cameras" in links
        for link in links:
            assert client.get(link).status_code == 200, (role, link)
        assert ("/users" in links) == (role == "admin")
        assert ("/reports" in links) == (role != "crew")


KEY = re.compile(
    r">[^<]*\b(?:home|map|cameras|manage|users|audit|notifications|field|import|areas|crews|"
    r"level|notify|search|nav|health|ticket)\.[a-z_.]+\b"
)


def test_new_pages_have_every_string_in_both_languages(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    login_as(client, seed, "admin")
    pages = [
        "/", "/map", "/search?q=cho", "/cameras", "/cameras/import", "/cameras/ST-0001",
        "/areas", "/crews", "/users", f"/users/{seed.user_ids['crew']}", "/audit",
        "/notifications", f"/tickets/{outages.tickets['bs1']}",
    ]  # fmt: skip
    for lang, word in (("vi", "Tổng quan"), ("en", "Overview")):
        for path in pages:
            answer = client.get(path, params={"lang": lang})
            assert answer.status_code == 200, path
            shown = re.sub(r"<script.*?</script>", "", answer.text, flags=re.S)
            assert not KEY.search(shown), (path, lang, KEY.search(shown))
            assert word in answer.text, (path, lang)


def test_import_page_reads_xlsx_problems_too(client: TestClient, seed: Seed) -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã camera", "Tên camera", "Mã địa bàn", "Địa chỉ IP", "Mức quan trọng"])
    sheet.append(["X-1", "Camera", "ST-TP", "127.0.0.5", 9])
    sheet.append(["X-2", "", "ST-TP", "127.0.0.6", 3])
    data = io.BytesIO()
    book.save(data)
    login_as(client, seed, "technician")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    answer = client.post("/cameras/import", files={"file": ("cameras.xlsx", data.getvalue(), xlsx)})
    assert answer.status_code == 422
    rows = re.findall(
        r"<tr><td class=\"num\">(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", answer.text
    )
    assert ("2", "Mức quan trọng", "Phải nhỏ hơn hoặc bằng 5") in rows
    assert ("3", "Tên camera", "Ô bắt buộc phải có giá trị") in rows
    english = client.post(
        "/cameras/import?lang=en", files={"file": ("cameras.xlsx", data.getvalue(), xlsx)}
    )
    assert "Input should be less than or equal to 5" in english.text
