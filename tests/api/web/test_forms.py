"""Form errors: beside the field, in the page's language, with what the user typed kept."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from monitor.core.models import Camera
from tests.api.web.test_pages import login_as
from tests.movement_data import seed_movement
from tests.registry_data import Seed

GOOD = {"name": "Cổng trường", "address": "Thôn Trường Thọ", "importance": "3", "enabled": "1"}


def field_error(html: str, name: str) -> str:
    """The message shown inside the label of the named control ('' when none)."""
    for label in re.findall(r"<label>.*?</label>", html, re.S):
        if f'name="{name}"' in label:
            found = re.search(rf'<span class="field-error" id="err-{name}">(.*?)</span>', label)
            return found.group(1) if found else ""
    raise AssertionError(f"no field {name}")


def value_of(html: str, name: str) -> str:
    """The value an input of the page carries."""
    found = re.search(rf'<input name="{name}"[^>]*?value="([^"]*)"', html)
    assert found, name
    return found.group(1)


@pytest.mark.parametrize(
    "field,typed,vi,en",
    [
        ("latitude", "abc", "Phải là một số", "Must be a number"),
        ("latitude", "200", "Phải từ -90 đến 90.", "Must be between -90 and 90."),
        ("longitude", "1e999", "Phải là một số", "Must be a number"),
        ("importance", "9", "Phải từ 1 đến 5.", "Must be between 1 and 5."),
        ("name", "", "Bắt buộc phải nhập.", "Required."),
    ],
)
def test_camera_form_errors_beside_the_field_in_both_languages(
    client: TestClient, seed: Seed, field: str, typed: str, vi: str, en: str
) -> None:
    login_as(client, seed, "technician")
    data = {**GOOD, "latitude": "15,2", "longitude": "108,8", field: typed}
    page = client.post("/cameras/ST-0001/edit", data=data)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert field_error(page.text, field).startswith(vi)
    assert value_of(page.text, field) == typed  # what was typed stays in the box
    assert value_of(page.text, "address") == "Thôn Trường Thọ"
    for raw in ("could not convert", "pydantic", "errors.pydantic.dev", '"detail"'):
        assert raw not in page.text
    english = client.post("/cameras/ST-0001/edit?lang=en", data=data)
    assert field_error(english.text, field).startswith(en)


def test_decimal_commas_are_accepted_like_points(client: TestClient, seed: Seed) -> None:
    login_as(client, seed, "technician")
    saved = client.post(
        "/cameras/ST-0001/edit", data=dict(GOOD, latitude="15,12162", longitude=" 108,7951 ")
    )
    assert saved.url.path == "/cameras/ST-0001"
    with client.app.state.db.session() as s:
        camera = s.scalar(select(Camera).where(Camera.code == "ST-0001"))
        assert (camera.latitude, camera.longitude) == (15.12162, 108.7951)
    look_up = client.get(
        "/coverage", params={"lat": "15,12162", "lon": "108,7951", "start": "2026-10-01T08:00"}
    )
    assert look_up.status_code == 200 and "ST-0001" in look_up.text


def test_movement_forms_keep_input_and_name_the_field(client: TestClient, seed: Seed) -> None:
    seed_movement(client.app.state.db)
    login_as(client, seed, "admin")
    taken = client.post(
        "/movement/types",
        data={"code": "ho-an-toan", "name_vi": "Hộ an toàn 2", "dossier_template": "Kế hoạch"},
    )
    assert taken.status_code == 422 and taken.headers["content-type"].startswith("text/html")
    assert field_error(taken.text, "code") == "Mã này đã có, hãy chọn mã khác."
    assert value_of(taken.text, "name_vi") == "Hộ an toàn 2"
    assert ">Kế hoạch</textarea>" in taken.text

    review = {
        "kind": "interim",
        "reviewed_on": "2025-12-20",
        "period_start": "2025-06-01",
        "period_end": "2025-01-01",
        "rating": "good",
        "decision": "keep",
        "reviewer": "Ban Chỉ đạo 138",
    }
    refused = client.post("/movement/ST-CAM-01/reviews", data=review, follow_redirects=False)
    assert refused.status_code == 422 and "location" not in refused.headers
    assert field_error(refused.text, "period_end").startswith("Ngày kết thúc phải")
    assert value_of(refused.text, "reviewer") == "Ban Chỉ đạo 138"

    edit = {
        "name": "Camera an ninh xã Tịnh Phong",
        "unit_name": "Công an xã Tịnh Phong",
        "responsible_person": "Võ Minh Tuấn",
        "responsible_phone": "0905 000 111",
        "status": "active",
        "dossier": ["Cam kết chia sẻ hình ảnh"],
        "camera_codes": "ST-0001, ST-9999",
        "notes": "ghi chú",
    }
    wrong = client.post("/movement/ST-CAM-01/edit", data=edit)
    assert wrong.status_code == 422
    assert field_error(wrong.text, "camera_codes") == "Không có camera mã: ST-9999."
    assert value_of(wrong.text, "responsible_phone") == "0905 000 111"
    assert value_of(wrong.text, "camera_codes") == "ST-0001, ST-9999"
    ticked = re.findall(r'name="dossier" value="([^"]+)" checked', wrong.text)
    assert ticked == ["Cam kết chia sẻ hình ảnh"]
    bad_phone = client.post(
        "/movement/ST-CAM-01/edit", data=dict(edit, camera_codes="ST-0001", responsible_phone="09x")
    )
    assert field_error(bad_phone.text, "responsible_phone").startswith("Số điện thoại")


def test_coverage_form_errors_beside_the_field(client: TestClient, seed: Seed) -> None:
    login_as(client, seed, "police")
    page = client.get(
        "/coverage",
        params={"lat": "abc", "lon": "108,79", "radius_m": "50000", "start": "hôm qua"},
    )
    assert page.status_code == 422
    assert field_error(page.text, "lat").startswith("Phải là một số")
    assert field_error(page.text, "radius_m") == "Phải từ 1 đến 20000."
    assert field_error(page.text, "start").startswith("Thời điểm không hợp lệ")
    assert field_error(page.text, "lon") == ""
    assert value_of(page.text, "lat") == "abc" and value_of(page.text, "lon") == "108,79"
    unknown = client.get("/coverage", params={"camera": "XX-9", "start": "2026-10-01T08:00"})
    assert field_error(unknown.text, "camera") == "Không có camera mã: XX-9."


def test_outage_filter_dates_are_checked_beside_the_field(client: TestClient, seed: Seed) -> None:
    login_as(client, seed, "police")
    page = client.get("/outages", params={"start": "2026-10-05T00:00", "end": "2026-10-01T00:00"})
    assert page.status_code == 422
    assert field_error(page.text, "end") == "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."
    bad = client.get("/outages", params={"start": "1/10"})
    assert field_error(bad.text, "start").startswith("Thời điểm không hợp lệ")
