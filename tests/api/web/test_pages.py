"""Server-rendered pages through the app (no JavaScript): login, scope, 403 pages, forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from monitor.core.db import Database
from monitor.core.models import Notification, Ticket
from tests.monitor.reports.outage_data import OutageSeed
from tests.registry_data import CAMERA_PASSWORD, PASSWORD, Seed


def login_as(client: TestClient, seed: Seed, role: str) -> None:
    """Log in: police through the form; the others with their token as the session cookie."""
    if role == "police":
        answer = client.post(
            "/login", data={"username": "police1", "password": PASSWORD}, follow_redirects=False
        )
        assert answer.status_code == 303
    else:
        client.cookies.set("camwatch_session", seed.tokens[role])


def test_anonymous_goes_to_login_and_comes_back(client: TestClient, outages: OutageSeed) -> None:
    first = client.get("/outages?cluster=ST", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Foutages%3Fcluster%3DST"
    wrong = client.post("/login", data={"username": "police1", "password": "nope"})
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    ok = client.post(
        "/login", data={"username": "police1", "password": PASSWORD, "next": "/outages?cluster=ST"}
    )
    assert ok.url.path == "/outages" and "Huyện Sơn Tịnh" in ok.text
    assert "police1" in ok.text
    offsite = client.post(
        "/login",
        data={"username": "police1", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert offsite.headers["location"] == "/"  # the home overview
    out = client.post("/logout", follow_redirects=False)
    assert out.headers["location"] == "/login"
    assert client.get("/outages", follow_redirects=False).status_code == 303


def test_outage_page_filters_sorts_and_speaks_both_languages(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    login_as(client, seed, "police")
    page = client.get("/outages", params={"cluster": "BS", "start": "2026-10-01T00:00"})
    assert page.status_code == 200
    assert 'id="outage-total">1<' in page.text
    assert "BS-0001" in page.text and "ST-0002" not in page.text
    assert "Không có luồng video" in page.text and "Đang diễn ra" in page.text
    assert (
        'href="/outages/export?cluster=BS&amp;start=2026-10-01T00%3A00&amp;format=pdf' in page.text
    )
    csv = client.get("/outages/export?cluster=BS&start=2026-10-01T00%3A00&format=csv")
    assert csv.status_code == 200 and "BS-0001" in csv.text and "ST-0002" not in csv.text
    by_duration = client.get("/outages", params={"sort": "duration", "order": "desc"}).text
    codes = re.findall(r'<tr class="outage"[^>]*>.*?/cameras/([A-Z0-9-]+)"', by_duration, re.S)
    assert codes[:3] == ["BS-0001", "ST-0002", "ST-0001"]
    english = client.get("/outages", params={"lang": "en"})
    assert "Camera outages" in english.text and "No video stream" in english.text
    assert "Camera outages" in client.get("/outages").text  # the choice is remembered
    bad = client.get("/outages", params={"start": "yesterday"})
    assert bad.status_code == 422 and "Not a valid date or time" in bad.text


def test_role_limits_show_the_403_page(client: TestClient, seed: Seed, outages: OutageSeed) -> None:
    login_as(client, seed, "crew")
    for url in ("/coverage", "/reports"):
        page = client.get(url)
        assert page.status_code == 403
        assert "Không có quyền truy cập" in page.text and "crew1" in page.text
    outages_page = client.get("/outages")
    assert outages_page.status_code == 200 and "BS-0001" not in outages_page.text
    assert client.get("/cameras/BS-0001").status_code == 404
    nav = client.get("/tickets").text
    assert 'href="/coverage"' not in nav and 'href="/tickets"' in nav


def test_coverage_page_lists_cameras_with_status(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    login_as(client, seed, "police")
    page = client.get(
        "/coverage",
        params={
            "lat": "15.15",
            "lon": "108.78",
            "radius_m": "300",
            "start": "2026-10-01T00:00",
            "end": "2026-10-02T00:00",
        },
    )
    assert page.status_code == 200
    rows = re.findall(r'data-code="([^"]+)" data-status="([^"]+)"', page.text)
    assert rows == [("ST-0001", "partial"), ("ST-0002", "working")]
    assert "4 giờ (17%)" in page.text
    assert client.get("/coverage", params={"lat": "abc", "start": "2026-10-01"}).status_code == 422


def test_camera_page_shows_history_chart_and_no_password(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    login_as(client, seed, "technician")
    page = client.get("/cameras/ST-0001")
    assert page.status_code == 200
    assert "<svg" in page.text and "polyline" in page.text
    assert "Mất tín hiệu" in page.text  # the state change up → down
    assert "/tickets/" in page.text and "Quốc lộ 24B" in page.text
    assert CAMERA_PASSWORD not in page.text
    assert 'id="thumb-good"' in page.text and 'id="thumb-fault"' not in page.text


def test_crew_moves_and_comments_its_ticket_police_may_not(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    ticket = outages.tickets["group"]
    login_as(client, seed, "crew")
    mine = client.get("/tickets").text
    assert "Phiếu đang mở của tôi" in mine and f'data-ticket="{ticket}"' in mine
    assert f'data-ticket="{outages.tickets["bs1"]}"' not in mine
    moved = client.post(
        f"/tickets/{ticket}/state", data={"to_state": "in_progress", "comment": "Đang tới nơi"}
    )
    assert moved.status_code == 200 and moved.url.path == f"/tickets/{ticket}"
    assert '<strong id="ticket-state">Đang sửa</strong>' in moved.text
    assert "Đang tới nơi" in moved.text and "crew1" in moved.text
    closing = client.post(f"/tickets/{ticket}/state", data={"to_state": "closed"})
    assert closing.status_code == 403
    commented = client.post(f"/tickets/{ticket}/comment", data={"comment": "Thay bộ nguồn"})
    assert "Thay bộ nguồn" in commented.text
    client.cookies.clear()
    login_as(client, seed, "police")
    refused = client.post(f"/tickets/{ticket}/state", data={"to_state": "fixed"})
    assert refused.status_code == 403 and "Đang sửa" in refused.text


def test_report_page_has_chart_tables_and_exports(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    login_as(client, seed, "police")
    page = client.get("/reports", params={"period": "2026-10"})
    assert page.status_code == 200
    assert "<svg" in page.text and "Huyện Bình Sơn" in page.text and "31.3%" in page.text
    assert "Camera hoạt động kém nhất" in page.text
    link = "/reports/availability/export?period=2026-10&format=pdf"
    assert f'href="{link}' in page.text
    download = client.get(link)  # with the page's session cookie: /api/v1 would refuse it
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert client.get("/reports", params={"period": "2026-13"}).status_code == 422


def test_camera_edit_page_for_editors_only(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    login_as(client, seed, "police")
    assert client.get("/cameras/ST-0001/edit").status_code == 403
    refused = client.post("/cameras/ST-0001/edit", data={"name": "X", "address": "Y"})
    assert refused.status_code == 403
    client.cookies.clear()
    login_as(client, seed, "technician")
    form = client.get("/cameras/ST-0001/edit")
    assert form.status_code == 200 and CAMERA_PASSWORD not in form.text
    bad = client.post(
        "/cameras/ST-0001/edit", data={"name": "Cổng trường", "address": "", "latitude": "95"}
    )
    assert bad.status_code == 422
    saved = client.post(
        "/cameras/ST-0001/edit",
        data={
            "name": "Cổng trường Tịnh Phong",
            "address": "Thôn Trường Thọ",
            "latitude": "15.16",
            "longitude": "108.79",
            "importance": "5",
            "enabled": "1",
        },
    )
    assert saved.url.path == "/cameras/ST-0001"
    assert "Cổng trường Tịnh Phong" in saved.text and "15.16, 108.79" in saved.text
    audit = client.get("/api/v1/audit", headers={"Authorization": f"Bearer {seed.tokens['admin']}"})
    assert any(
        e["entity_id"] == "ST-0001" and e["action"] == "update" and e["username"] == "technician1"
        for e in audit.json()["items"]
    )


def test_a_comment_made_on_the_ticket_page_is_sent_to_the_crew(
    client: TestClient, seed: Seed, outages: OutageSeed, database: Database
) -> None:
    ticket = outages.tickets["group"]
    with database.session() as s:
        s.get(Ticket, ticket).crew.webhook_url = "http://127.0.0.1:9/hook"
    login_as(client, seed, "crew")
    commented = client.post(f"/tickets/{ticket}/comment", data={"comment": "Cần thay ổ cứng"})
    assert commented.status_code == 200
    with database.session() as s:
        sent = s.scalars(select(Notification).where(Notification.ticket_id == ticket)).all()
        told = [(n.channel, n.event, n.payload["comment"]) for n in sent]
    assert told == [("webhook", "ticket.comment", "Cần thay ổ cứng")]
