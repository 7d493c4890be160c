"""Headless Chromium on the home overview, the map and the camera search (desktop and phone)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import APIRequestContext, APIResponse, Browser, Page, expect
from pydantic import SecretStr
from sqlalchemy import select

from monitor.core.access import Actor
from monitor.core.models import CameraStatus, HealthState, StateChange, User, utcnow
from monitor.core.security import hash_password
from monitor.core.settings import Settings
from monitor.monitoring import pictures
from monitor.registry import cameras
from monitor.registry.cameras import CameraRules
from monitor.registry.schemas import CameraCreate
from tests.browser.conftest import Site
from tests.registry_data import PASSWORD, seed_ticket

pytestmark = pytest.mark.xdist_group("browser")

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
# Extra cameras on top of the test registry: (code, name, address, area, state, lat, lon).
EXTRA = [
    ("ST-0101", "Chợ Tịnh Phong", "Đường Trần Phú", "ST-TP", HealthState.DOWN, 15.1601, 108.7702),
    (
        "ST-0102",
        "Cổng chợ phía Bắc",
        "Trần Phú 12",
        "ST-TP",
        HealthState.DEGRADED,
        15.1605,
        108.771,
    ),
    ("ST-0103", "Ngã ba Trường Thọ", "Thôn Trường Thọ", "ST-TP-1", HealthState.UP, 15.17, 108.76),
    ("ST-0104", "Bến xe", "Quốc lộ 1A", "ST-TP", HealthState.MAINTENANCE, 15.1402, 108.79),
    ("BS-0102", "Cảng Dung Quất", "Khu kinh tế", "BS-BT", HealthState.UP, 15.21, 108.84),
]


def api_get(request: APIRequestContext, fleet: Site, path: str) -> APIResponse:
    """GET an API path as the admin: /api/v1 takes bearer tokens only, never the page cookie."""
    token = fleet.seed.tokens["admin"]
    return request.get(fleet.url + path, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def fleet(site: Site) -> Iterator[Site]:
    """The browser site with five more cameras in every state, and a change in the last hour."""
    with site.db.session() as s:
        box_rules = _rules(site)
        system = Actor.system("test")
        for code, name, address, area, state, lat, lon in EXTRA:
            camera = cameras.create_camera(
                s,
                system,
                CameraCreate(
                    code=code,
                    name=name,
                    address=address,
                    area_code=area,
                    onvif_host="127.0.0.1",
                    latitude=lat,
                    longitude=lon,
                    vendor="Dahua" if code.startswith("ST") else "Hikvision",
                    tags=["chợ"] if "chợ" in name.lower() else [],
                    username="admin",
                    password=SecretStr("x-secret-1"),
                    host_id=site.seed.host_ids["school"] if code == "ST-0101" else None,
                ),
                box_rules,
            )
            s.flush()
            status = CameraStatus(camera_id=camera.id, state=state, since=utcnow())
            if code == "ST-0101":  # the crew's ticket below: a faulty picture and a reference
                status.last_fault_jpeg = _jpeg(20)
                status.last_fault_at = utcnow()
                pictures.set_reference(s, camera.id, _image(160), "technician1")
            s.add(status)
            if state == HealthState.DOWN:
                s.add(
                    StateChange(
                        camera_id=camera.id,
                        at=utcnow(),
                        from_state=HealthState.UP,
                        to_state=state,
                        faults=["offline"],
                    )
                )
        s.scalar(select(User).where(User.username == "admin1")).password_hash = hash_password(
            PASSWORD
        )
    settings = Settings(environment="test", secret_key="k" * 48, _env_file=None)
    site.seed.ticket_ids["field"] = seed_ticket(site.db, settings, "ST-0101")
    yield site


def _image(grey: int):
    import numpy as np

    image = np.full((90, 160, 3), grey, np.uint8)
    image[30:60, 40:120] = 255 - grey  # something to see
    return image


def _jpeg(grey: int) -> bytes:
    import cv2

    return cv2.imencode(".jpg", _image(grey))[1].tobytes()


def _rules(site: Site) -> CameraRules:
    import ipaddress

    from monitor.core.crypto import SecretBox

    loopback = (ipaddress.ip_network("127.0.0.0/8"),)
    return CameraRules(SecretBox("test-secret-key-" + "x" * 40), loopback)


SCRIPT_ERRORS: dict[int, list[str]] = {}


def script_errors(page: Page) -> list[str]:
    """Uncaught script errors of the page so far."""
    return SCRIPT_ERRORS.get(id(page), [])


def log_in(browser: Browser, site: Site, username: str, viewport: dict[str, int]) -> Page:
    """A fresh context of this size, logged in through the form, on the home page."""
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = SCRIPT_ERRORS.setdefault(id(page), [])
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.goto(site.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(site.url + "/")
    return page


def no_horizontal_scroll(page: Page) -> bool:
    """True when the page is not wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_home_counts_match_the_api(browser: Browser, fleet: Site, viewport: dict) -> None:
    page = log_in(browser, fleet, "technician1", viewport)
    assert page.locator("h1").first.inner_text() == "Tổng quan"
    assert "Cập nhật lúc" in page.locator("#updated").inner_text()
    api = page.request
    for state in ("up", "degraded", "down", "maintenance", "unknown"):
        answer = api_get(api, fleet, f"/api/v1/cameras?state={state}&enabled=true&limit=1")
        assert answer.ok
        shown = page.locator(f'[data-count="{state}"]').inner_text()
        assert int(shown) == answer.json()["total"], state
    everything = api_get(api, fleet, "/api/v1/cameras?enabled=true&limit=1").json()["total"]
    assert int(page.locator('[data-count="cameras"]').inner_text()) == everything == 8
    tickets = api_get(api, fleet, "/api/v1/tickets?open=true&limit=1").json()["total"]
    assert int(page.locator('[data-count="open_tickets"]').inner_text()) == tickets
    assert page.locator("#worst-areas tbody tr").count() >= 1
    assert "ST-0101" in page.locator("#recent-changes").inner_text()
    assert no_horizontal_scroll(page)
    page.context.close()


def test_home_refreshes_itself(browser: Browser, fleet: Site) -> None:
    page = log_in(browser, fleet, "technician1", DESKTOP)
    page.clock.install()
    page.goto(fleet.url + "/")
    first = page.locator("#updated-at").get_attribute("datetime") or ""
    page.clock.run_for(61_000)  # the page's 60 s timer fires: the overview is fetched again
    expect(page.locator("#updated-at")).not_to_have_attribute("datetime", first)
    page.context.close()


def test_map_shows_every_camera_coloured_and_answers_a_click(browser: Browser, fleet: Site) -> None:
    page = log_in(browser, fleet, "police1", DESKTOP)
    page.goto(fleet.url + "/map")
    page.wait_for_function("window.camwatchMap && window.camwatchMap.ready")
    assert script_errors(page) == []
    assert page.evaluate("window.camwatchMap.mode") == "grid"  # no tile server in the tests
    assert page.locator("#map-grid-note").is_visible()
    assert page.locator(".leaflet-control-scale-line").count() == 1
    expected = {
        c["code"]: api_get(page.request, fleet, f"/api/v1/cameras/{c['code']}/state").json()[
            "state"
        ]
        for c in api_get(page.request, fleet, "/api/v1/cameras?limit=1000").json()["items"]
    }
    assert len(expected) == 8
    # Zoomed in far enough, no marker is clustered: every camera is a dot of its state's colour.
    seen: dict[str, str] = {}
    for code in expected:
        page.evaluate(
            "code => { const m = window.camwatchMap.markers[code];"
            " window.camwatchMap.map.setView(m.getLatLng(), 18, {animate: false}); }",
            code,
        )
        dot = page.locator(f'.cam-dot[data-code="{code}"]')
        expect(dot).to_be_visible()
        seen[code] = dot.get_attribute("data-state") or ""
    assert seen == expected
    # The whole registry at once: clusters and single dots add up to every camera.
    page.evaluate(
        "() => { const cm = window.camwatchMap;"
        " cm.map.fitBounds(Object.values(cm.markers).map(m => m.getLatLng()), {animate: false}); }"
    )
    page.wait_for_timeout(300)
    singles = page.locator(".cam-dot").count()
    clustered = sum(int(n) for n in page.locator(".cam-cluster span").all_inner_texts())
    assert singles + clustered == 8
    # Click a camera: its card.
    page.evaluate(
        "() => { const m = window.camwatchMap.markers['ST-0101'];"
        " window.camwatchMap.map.setView(m.getLatLng(), 17, {animate: false}); }"
    )
    page.locator('.cam-dot[data-code="ST-0101"]').click()
    card = page.locator('.map-card[data-code="ST-0101"]')
    expect(card).to_be_visible()
    assert "Chợ Tịnh Phong" in card.inner_text() and "Mất tín hiệu" in card.inner_text()
    page.keyboard.press("Escape")
    # Click a place: the coverage look-up with its radius circle.
    page.fill("#m-start", "2026-10-20T13:30")
    page.fill("#m-radius", "300")
    page.evaluate("() => window.camwatchMap.map.setView([15.1510, 108.7800], 16, {animate: false})")
    page.wait_for_timeout(200)
    box = page.locator("#map").bounding_box()
    assert box is not None
    point = page.evaluate(
        "() => { const p = window.camwatchMap.map.latLngToContainerPoint([15.1500, 108.7810]);"
        " return [p.x, p.y]; }"
    )
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page.locator("#coverage-list li")).to_have_count(2)
    codes = page.locator("#coverage-list li").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == ["ST-0001", "ST-0002"]
    assert "Mất tín hiệu" in page.locator("#coverage-list").inner_text()
    assert page.locator("path.coverage-circle").count() == 1
    page.context.close()


def test_crew_map_shows_only_its_areas_on_a_phone(browser: Browser, fleet: Site) -> None:
    page = log_in(browser, fleet, "crew1", PHONE)
    page.goto(fleet.url + "/map")
    page.wait_for_function("window.camwatchMap && window.camwatchMap.ready")
    # A crew sees only its areas' cameras and no coverage form (that look-up is not theirs).
    codes = page.evaluate("Object.keys(window.camwatchMap.markers).sort()")
    assert codes == ["ST-0001", "ST-0002", "ST-0101", "ST-0102", "ST-0103", "ST-0104"]
    assert page.locator("#map-coverage-form").count() == 0
    assert no_horizontal_scroll(page)
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_search_ignores_accents_and_case(browser: Browser, fleet: Site, viewport: dict) -> None:
    page = log_in(browser, fleet, "technician1", viewport)
    page.fill("#global-search", "cho")
    page.press("#global-search", "Enter")
    page.wait_for_url(lambda url: "/search?q=cho" in url)
    found = page.locator("#camera-list tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )
    assert found == ["ST-0101", "ST-0102"]
    page.fill("#s-q", "TRAN PHU")
    page.click("#s-submit")
    page.wait_for_url(lambda url: "TRAN+PHU" in url)
    assert page.locator("#search-total").inner_text() == "2"
    page.fill("#s-q", "truong tho")  # the village's name (an area), and a camera's name
    page.click("#s-submit")
    page.wait_for_url(lambda url: "truong+tho" in url)
    found = page.locator("#camera-list tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )
    assert found == ["ST-0001", "ST-0103"]
    assert no_horizontal_scroll(page)
    page.context.close()


def test_crew_on_a_phone_works_its_ticket(browser: Browser, fleet: Site) -> None:
    ticket = fleet.seed.ticket_ids["field"]
    page = log_in(browser, fleet, "crew1", PHONE)
    assert page.locator("h1").first.inner_text() == "Phiếu đang mở của tôi"
    cards = page.locator("#ticket-cards li")
    assert cards.count() == 2  # its commune's group outage and the market camera
    assert "Mất kết nối — ST-0101" in page.locator(f'li[data-ticket="{ticket}"]').inner_text()
    assert no_horizontal_scroll(page)
    nav = page.locator("nav.mainnav a").evaluate_all("links => links.map(a => a.pathname)")
    assert "/reports" not in nav and "/coverage" not in nav and "/users" not in nav
    page.click(f'li[data-ticket="{ticket}"] a')
    page.wait_for_url(lambda url: url.endswith(f"/tickets/{ticket}"))
    fault, reference = page.locator("#fault-img"), page.locator("#reference-img")
    for img in (fault, reference):
        expect(img).to_be_visible()
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    left, right = fault.bounding_box(), reference.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"]  # side by side
    assert abs(left["y"] - right["y"]) < 2
    assert page.locator("#call").get_attribute("href") == "tel:0905111222"
    assert page.locator("#map-link").get_attribute("href") == "/map?camera=ST-0101"
    assert page.locator("#geo-link").get_attribute("href").startswith("geo:15.1601,108.7702")
    button = page.locator("#to-in_progress")
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 300  # a thumb-sized, full-width button
    assert no_horizontal_scroll(page)
    page.fill("#state-comment", "Đã tới nơi, thay nguồn")
    button.click()
    expect(page.locator("#ticket-state")).to_have_text("Đang sửa")
    assert "Đã tới nơi, thay nguồn" in page.locator("#ticket-events").inner_text()
    assert page.locator("#to-fixed").is_visible()  # the next step is one tap away
    assert no_horizontal_scroll(page)
    page.click("#map-link")
    page.wait_for_function("window.camwatchMap && window.camwatchMap.ready")
    expect(page.locator('.map-card[data-code="ST-0101"]')).to_be_visible()
    for path in nav:  # no menu entry leads this role to a refusal
        answer = page.goto(fleet.url + path)
        assert answer is not None and answer.status == 200, path
        assert no_horizontal_scroll(page), path
    page.set_viewport_size({"width": 360, "height": 740})  # the narrowest phones in use
    for path in [*nav, f"/tickets/{ticket}", "/cameras/ST-0101", "/search?q=cho"]:
        page.goto(fleet.url + path)
        assert no_horizontal_scroll(page), path
    assert script_errors(page) == []
    page.context.close()


def test_camera_list_search_without_accents_and_bulk_disable(browser: Browser, fleet: Site) -> None:
    page = log_in(browser, fleet, "technician1", DESKTOP)
    page.click('nav.mainnav a[href="/cameras"]')
    page.wait_for_url(fleet.url + "/cameras")
    page.fill("#f-q", "cong cho phia bac")
    page.click("#f-submit")
    page.wait_for_url(lambda url: "q=cong+cho" in url)
    rows = page.locator("#camera-list tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.code)") == ["ST-0102"]
    assert "Cổng chợ phía Bắc" in rows.first.inner_text()
    page.fill("#f-q", "")
    page.select_option("#f-state", "down")
    page.click("#f-submit")
    page.wait_for_url(lambda url: "state=down" in url)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.code)") == ["BS-0001", "ST-0101"]
    page.select_option("#f-state", "")
    page.select_option("#f-vendor", "Hikvision")
    page.click("#f-submit")
    page.wait_for_url(lambda url: "vendor=Hikvision" in url)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.code)") == ["BS-0102"]
    page.check('input.pick[value="BS-0102"]')
    page.select_option("#bulk-action", "disable")
    page.click("#bulk-submit")
    expect(page.locator("#bulk-done")).to_contain_text("1")
    assert "vendor=Hikvision" in page.url  # back on the same filtered list
    assert "Không" in page.locator('tr[data-code="BS-0102"]').inner_text()
    page.check("#select-all")
    page.select_option("#bulk-action", "enable")
    page.click("#bulk-submit")
    expect(page.locator("#bulk-done")).to_contain_text("1")
    assert script_errors(page) == []
    page.context.close()


def test_import_with_errors_shows_every_problem_in_vietnamese(
    browser: Browser, fleet: Site, tmp_path
) -> None:
    bad = tmp_path / "camera-moi.csv"
    bad.write_text(
        "Mã camera,Tên camera,Mã địa bàn,Địa chỉ IP,Vĩ độ,Đang theo dõi\n"
        "NEW-1,Camera một,KHONG-CO,127.0.0.5,15.1,có\n"
        "NEW-2,Camera hai,ST-TP,127.0.0.6,abc,có\n"
        "NEW-3,Camera ba,ST-TP,127.0.0.7,15.2,chưa biết\n",
        encoding="utf-8",
    )
    page = log_in(browser, fleet, "technician1", PHONE)
    page.goto(fleet.url + "/cameras")
    page.click("#import-link")
    page.set_input_files("#import-file", str(bad))
    page.click("#import-submit")
    expect(page.locator("#import-rejected")).to_contain_text("chưa ghi dòng nào")
    table = page.locator("#import-problems")
    assert table.locator("th").all_inner_texts() == ["Dòng", "Cột", "Lỗi"]
    rows = [tuple(r.locator("td").all_inner_texts()) for r in table.locator("tbody tr").all()]
    assert ("2", "Mã địa bàn", "Không có địa bàn mã 'KHONG-CO'") in rows
    assert ("3", "Vĩ độ", "Phải là một số") in rows
    assert ("4", "Đang theo dõi", "Cần ghi có/không (hoặc 1/0)") in rows
    assert no_horizontal_scroll(page)
    assert api_get(page.request, fleet, "/api/v1/cameras/NEW-1").status == 404  # nothing written
    page.context.close()


def _same_site_links(page: Page, base: str) -> list[str]:
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    keep = []
    for href in hrefs:
        path = href.removeprefix(base)
        if not href.startswith(base) or path.startswith(("/api/", "/static/")):
            continue
        if "lang=" in path or "export" in path or "format=" in path:
            continue
        keep.append(href.split("#")[0])
    return keep


def test_no_page_loads_anything_from_outside(browser: Browser, fleet: Site) -> None:
    """Crawl every page an admin can reach by links; nothing may come from another host."""
    page = log_in(browser, fleet, "admin1", DESKTOP)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(f"{page.url} -> {r.url}")
            if not r.url.startswith((fleet.url, "data:", "blob:", "about:"))
            else None
        ),
    )
    seen: set[str] = set()
    queue = [fleet.url + "/", fleet.url + "/login"]
    while queue and len(seen) < 80:
        url = queue.pop(0)
        key = url.split("?")[0] if url.count("/") > 4 else url  # one detail page per kind
        if key in seen:
            continue
        seen.add(key)
        answer = page.goto(url)
        assert answer is not None and answer.status < 500, url
        external = page.evaluate(
            "() => [...document.querySelectorAll('script[src], link[href], img[src], iframe[src]')]"
            ".map(e => e.src || e.href).filter(u => !u.startsWith(location.origin))"
        )
        assert external == [], url
        queue.extend(_same_site_links(page, fleet.url))
    assert len(seen) >= 20  # home, map, lists, details, admin pages…
    assert {"/map", "/cameras", "/users", "/audit", "/notifications", "/areas", "/crews"} <= {
        u.removeprefix(fleet.url).split("?")[0] for u in seen
    }
    assert outside == []
    assert script_errors(page) == []
    page.context.close()


def test_api_docs_load_nothing_from_outside(browser: Browser, fleet: Site) -> None:
    page = log_in(browser, fleet, "admin1", DESKTOP)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(fleet.url) else None)
    page.goto(fleet.url + "/docs")
    assert outside == []
    page.context.close()


@pytest.fixture(scope="module")
def tiled(fleet: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """A second app on the same database whose map has a tile server: itself (a static PNG)."""
    import threading
    import time

    import uvicorn

    from api.app import create_app
    from tests.browser.conftest import _loopback_socket

    sock = _loopback_socket()
    host, port = sock.getsockname()
    url = f"http://{host}:{port}"
    settings = Settings(
        environment="test",
        data_dir=tmp_path_factory.mktemp("tiled"),
        database_url=fleet.db.url,
        secret_key="test-secret-key-" + "x" * 40,
        map_tiles=url + "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}",
        map_tiles_attribution="Bản đồ nội bộ",
        _env_file=None,
    )
    app = create_app(settings, fleet.db)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield url, app
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_map_uses_the_tile_server_and_falls_back_when_it_fails(
    browser: Browser, fleet: Site, tiled: tuple[str, object]
) -> None:
    url, app = tiled
    page = log_in(browser, Site(url, fleet.seed, fleet.outages, fleet.db), "police1", DESKTOP)
    page.goto(url + "/map")
    page.wait_for_function("window.camwatchMap && window.camwatchMap.ready")
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
    assert page.evaluate("window.camwatchMap.mode") == "tiles"
    assert "Bản đồ nội bộ" in page.locator(".leaflet-control-attribution").inner_text()
    assert not page.locator("#map-grid-note").is_visible()
    # A tile server that refuses connections: the cameras move onto the coordinate grid.
    settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"map_tiles": "http://127.0.0.1:9/{z}/{x}/{y}.png"}
    )
    try:
        page.reload()
        page.wait_for_function("window.camwatchMap && window.camwatchMap.mode === 'grid'")
        expect(page.locator("#map-grid-note")).to_be_visible()
        assert page.locator(".grid-label").count() > 0
        assert page.locator(".cam-dot, .cam-cluster").count() > 0
    finally:
        app.state.settings = settings
    page.context.close()
