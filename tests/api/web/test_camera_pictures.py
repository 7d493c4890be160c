"""The camera page's pictures and chart: captions say what each picture is; no data is said."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from monitor.core.models import Camera, CameraStatus, HealthState, HourlyRollup, ReferenceView
from monitor.monitoring.runner import new_status, picture_is_good
from tests.api.web.test_pages import login_as
from tests.monitor.reports.outage_data import OutageSeed
from tests.registry_data import Seed


def caption(html: str, figure: str) -> str:
    """The text of a figure's caption, tags removed."""
    found = re.search(rf'<figure id="{figure}">.*?<figcaption>(.*?)</figcaption>', html, re.S)
    assert found, figure
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_pictures_side_by_side_each_captioned_for_what_it_is(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    with client.app.state.db.session() as s:
        camera_id = s.scalar(select(Camera.id).where(Camera.code == "BS-0001"))
        s.add(ReferenceView(camera_id=camera_id, image_png=b"png", frames_learned=40))
    login_as(client, seed, "technician")
    page = client.get("/cameras/BS-0001").text
    assert caption(page, "fig-good").startswith("Hình tốt gần nhất · 2026-10-10 16:00")
    assert caption(page, "fig-fault").startswith("Hình lỗi gần nhất · 2026-10-10 17:00")
    assert caption(page, "fig-reference").startswith("Hình tham chiếu")
    assert "tự học từ 40 hình tốt" in caption(page, "fig-reference")
    # BS-0001 is down: the card says since when nothing came, with the zone named.
    assert "Không nhận được hình từ 2026-10-10 17:00 UTC+07:00" in page
    english = client.get("/cameras/BS-0001?lang=en").text
    assert "No picture since 2026-10-10 17:00 UTC+07:00" in english


def test_a_camera_never_pictured_says_so_and_a_short_history_has_no_chart(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    with client.app.state.db.session() as s:
        camera_id = s.scalar(select(Camera.id).where(Camera.code == "ST-0002"))
        status = new_status(camera_id)
        status.state = HealthState.DOWN
        s.add(status)
        s.add(
            HourlyRollup(
                camera_id=camera_id,
                hour=datetime(2026, 10, 2, 3, tzinfo=UTC),
                probes=12,
                successes=12,
                availability=1.0,
            )
        )
    login_as(client, seed, "technician")
    page = client.get("/cameras/ST-0002").text
    assert "Chưa nhận được hình nào từ camera này" in page
    assert "Chưa có hình tốt nào" in page and "Chưa có hình tham chiếu" in page
    assert "polyline" not in page  # one hour is a dot, not a chart
    assert "Chưa đủ dữ liệu: biểu đồ cần ít nhất 2 giờ đo trọn vẹn (hiện có 1)." in page
    assert "polyline" in client.get("/cameras/ST-0001").text  # 24 hours draw a line


def test_a_picture_is_not_good_while_another_probe_finds_the_lens_covered() -> None:
    status: CameraStatus = new_status(1)
    assert picture_is_good(True, status, "rtsp")
    status.faults_by_kind = {"snapshot": ["covered"], "tcp": []}
    assert not picture_is_good(True, status, "rtsp")  # the page would call it "last good"
    assert picture_is_good(True, status, "snapshot")  # that kind's own new verdict counts
    status.faults_by_kind = {"onvif": ["clock_drift"]}
    assert picture_is_good(True, status, "rtsp")  # not a picture fault
    assert not picture_is_good(False, status, "rtsp")
