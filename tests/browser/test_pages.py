"""Real headless Chromium against the served app: police, crew and technician journeys."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import Site
from tests.registry_data import PASSWORD

pytestmark = pytest.mark.xdist_group("browser")


def log_in(browser: Browser, site: Site, username: str, start: str = "/outages") -> Page:
    """A fresh browser context, logged in through the login form."""
    context = browser.new_context(accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(site.url + start)
    assert "/login" in page.url  # anonymous visitors are sent to the login page first
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda url: url.startswith(site.url + start))
    return page


def test_police_filters_outages_and_exports_pdf_and_xlsx(browser: Browser, site: Site) -> None:
    page = log_in(browser, site, "police1")
    assert page.locator("#current-user").inner_text().startswith("Người dùng: police1")
    page.select_option("#f-cluster", label="Huyện Sơn Tịnh")
    page.fill("#f-start", "2026-10-01T00:00")
    page.fill("#f-end", "2026-10-15T00:00")
    page.click("#f-submit")
    page.wait_for_url(lambda url: "cluster=ST" in url)
    assert page.locator("#outage-total").inner_text() == "2"
    rows = page.locator("#outages tbody tr.outage")
    assert rows.count() == 2
    assert "ST-0002" in rows.nth(0).inner_text() and "Hình mờ" in rows.nth(0).inner_text()
    assert "Mất kết nối" in rows.nth(1).inner_text()
    with page.expect_download() as pdf_download:
        page.click("#export-pdf")
    pdf = PdfReader(io.BytesIO(pdf_download.value.path().read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Danh sách sự cố camera" in text
    assert "Cụm: Huyện Sơn Tịnh (ST)" in text
    assert "Từ: 2026-10-01 00:00" in text and "Đến: 2026-10-15 00:00" in text
    assert "Xã Tịnh Phong" in text and "Mất kết nối" in text and "Hình mờ" in text
    assert "BS-0001" not in text
    with page.expect_download() as xlsx_download:
        page.click("#export-xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes())).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "ST-0002",
        "ST-0001",
    ]
    page.context.close()


def test_police_coverage_look_up_finds_the_right_cameras(browser: Browser, site: Site) -> None:
    page = log_in(browser, site, "police1", start="/coverage")
    page.fill("#c-lat", "15.1500")
    page.fill("#c-lon", "108.7800")
    page.fill("#c-radius", "300")
    page.fill("#c-start", "2026-10-20T13:30")
    page.click("#c-submit")
    page.wait_for_selector("#coverage")
    found = page.locator("#coverage tbody tr")
    assert found.count() == 2
    assert [found.nth(i).get_attribute("data-code") for i in range(2)] == ["ST-0001", "ST-0002"]
    assert {found.nth(i).get_attribute("data-status") for i in range(2)} == {"down"}
    assert "Mất tín hiệu" in found.nth(0).inner_text()
    page.context.close()


def test_police_cannot_reach_the_registry_edit_page(browser: Browser, site: Site) -> None:
    page = log_in(browser, site, "police1")
    answer = page.goto(site.url + "/cameras/ST-0001/edit")
    assert answer is not None and answer.status == 403
    assert "Không có quyền truy cập" in page.locator("h1").inner_text()
    camera = page.goto(site.url + "/cameras/ST-0001")
    assert camera is not None and camera.status == 200
    assert page.locator("#edit-camera").count() == 0
    page.context.close()


def test_crew_moves_its_ticket(browser: Browser, site: Site) -> None:
    page = log_in(browser, site, "crew1", start="/tickets")
    assert page.locator("h1").inner_text() == "Phiếu đang mở của tôi"
    ticket = site.outages.tickets["group"]
    assert page.locator("#ticket-cards li").count() == 1
    page.click(f'li[data-ticket="{ticket}"] a')
    page.wait_for_url(lambda url: url.endswith(f"/tickets/{ticket}"))
    assert page.locator("#ticket-state").inner_text() == "Đã giao"
    page.fill("#state-comment", "Đang thay bộ nguồn")
    page.click("#to-in_progress")
    expect(page.locator("#ticket-state")).to_have_text("Đang sửa")
    assert "Đang thay bộ nguồn" in page.locator("#ticket-events").inner_text()
    forbidden = page.goto(site.url + "/coverage")
    assert forbidden is not None and forbidden.status == 403
    page.context.close()
