"""Real headless Chromium: the outage list and the availability report filtered by commune and by
cluster (two communes of one cluster, each with its October outages)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from monitor.core.access import Actor
from monitor.core.crypto import SecretBox
from monitor.core.models import Camera, Incident, IncidentKind
from monitor.registry import areas, cameras
from monitor.registry.cameras import CameraRules
from monitor.registry.schemas import AreaCreate, CameraCreate
from tests.browser.conftest import Site
from tests.browser.test_pages import log_in

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def neighbour(site: Site) -> Site:
    """A second commune in the Sơn Tịnh cluster, Tịnh Khê, with a camera down on 12 October."""
    system = Actor.system("test")
    with site.db.session() as s:
        areas.create_area(
            s,
            system,
            AreaCreate(
                code="ST-TK", name="Xã Tịnh Khê", level="commune", kind="commune", parent_code="ST"
            ),
        )
        rules = CameraRules(SecretBox("browser-test"), (ipaddress.ip_network("127.0.0.0/8"),))
        cameras.create_camera(
            s,
            system,
            CameraCreate(
                code="ST-0003", name="Chợ Tịnh Khê", area_code="ST-TK", onvif_host="127.0.0.1"
            ),
            rules,
        )
    with site.db.session() as s:
        camera = s.scalar(select(Camera).where(Camera.code == "ST-0003"))
        camera.created_at = datetime(2026, 1, 1, tzinfo=UTC)
        s.add(
            Incident(
                kind=IncidentKind.CAMERA,
                camera_id=camera.id,
                state="down",
                started_at=datetime(2026, 10, 12, 1, tzinfo=UTC),
                ended_at=datetime(2026, 10, 12, 7, tzinfo=UTC),
                faults=["offline"],
            )
        )
    return site


def _outage_codes(page: Page) -> list[str]:
    rows = page.locator("#outages tbody tr.outage td:nth-child(2)")
    return [rows.nth(i).inner_text().strip() for i in range(rows.count())]


def test_outage_list_by_commune_and_by_cluster(browser: Browser, neighbour: Site) -> None:
    page = log_in(browser, neighbour, "police1")
    page.select_option("#f-commune", label="Xã Tịnh Phong")
    page.fill("#f-start", "2026-10-01T00:00")
    page.fill("#f-end", "2026-11-01T00:00")
    page.click("#f-submit")
    page.wait_for_url(lambda url: "commune=ST-TP" in url)
    commune = _outage_codes(page)
    assert "ST-0003" not in commune and "BS-0001" not in commune
    assert {"ST-0001", "ST-0002"} <= set(commune)
    assert page.locator("#outage-total").inner_text() == str(len(commune))
    page.select_option("#f-commune", value="")
    page.select_option("#f-cluster", label="Huyện Sơn Tịnh")
    page.click("#f-submit")
    page.wait_for_url(lambda url: "cluster=ST" in url and "commune=ST" not in url)
    cluster = _outage_codes(page)
    assert set(cluster) == set(commune) | {"ST-0003"}
    assert "Xã Tịnh Khê" in page.locator("#outages").inner_text()
    page.context.close()


def _report_text(page: Page) -> str:
    return "\n".join(page.locator("section.card").all_inner_texts())


def _report_cameras(page: Page) -> set[str]:
    text = _report_text(page)
    return {code for code in ("ST-0001", "ST-0002", "ST-0003", "BS-0001") if code in text}


def test_availability_report_by_commune_and_by_cluster(browser: Browser, neighbour: Site) -> None:
    page = log_in(browser, neighbour, "police1", start="/reports")
    page.fill("#r-period", "2026-10")
    page.select_option("#r-commune", label="Xã Tịnh Phong")
    page.click("#r-submit")
    page.wait_for_url(lambda url: "commune=ST-TP" in url)
    assert _report_cameras(page) == {"ST-0001", "ST-0002"}
    page.select_option("#r-commune", value="")
    page.select_option("#r-cluster", label="Huyện Sơn Tịnh")
    page.click("#r-submit")
    page.wait_for_url(lambda url: "cluster=ST" in url and "commune=ST" not in url)
    assert _report_cameras(page) == {"ST-0001", "ST-0002", "ST-0003"}
    body = _report_text(page)
    assert "Xã Tịnh Khê" in body and "Xã Bình Thuận" not in body
    page.context.close()
