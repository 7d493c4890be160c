"""With the network cut (only the app's own address reachable): /docs renders, pages load
nothing from elsewhere; printing the outage list leaves out menu and filters; form errors."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Route

from tests.browser.conftest import Site
from tests.browser.test_pages import log_in

pytestmark = pytest.mark.xdist_group("browser")

PAGES = (
    "/",
    "/map",
    "/cameras",
    "/search?q=cho",
    "/outages",
    "/coverage",
    "/tickets",
    "/reports",
    "/movement",
    "/cameras/ST-0001",
    "/cameras/ST-0001/edit",
)


def cut_network(context: BrowserContext, site: Site) -> list[str]:
    """Abort every request that is not for the app; the list collects what was tried."""
    tried: list[str] = []
    own = urlsplit(site.url).netloc

    def handle(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            tried.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", handle)
    return tried


def test_docs_render_operations_offline(browser: Browser, site: Site) -> None:
    context = browser.new_context()
    tried = cut_network(context, site)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(site.url + "/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 20
    assert "/api/v1/cameras" in page.locator("#swagger-ui").inner_text()
    assert tried == []
    context.close()


def test_no_page_loads_anything_from_elsewhere(browser: Browser, site: Site) -> None:
    page = log_in(browser, site, "technician1")
    tried = cut_network(page.context, site)
    for path in PAGES:
        answer = page.goto(site.url + path)
        assert answer is not None and answer.status == 200, path
        page.wait_for_load_state("networkidle")
    assert tried == []
    page.context.close()


def test_printed_outage_list_has_no_menu_or_filters(browser: Browser, site: Site) -> None:
    page = log_in(browser, site, "police1")
    page.emulate_media(media="print")
    assert page.locator("#outages").is_visible()
    for hidden in (".topbar", "#outage-filter", ".pager", ".exports"):
        assert not page.locator(hidden).first.is_visible(), hidden
    page.emulate_media(media="screen")
    assert page.locator("#outage-filter").is_visible()
    page.context.close()


def test_form_error_shown_beside_the_field_with_input_kept(browser: Browser, site: Site) -> None:
    page = log_in(browser, site, "technician1", start="/cameras/ST-0002/edit")
    page.fill("#e-lat", "abc")
    page.fill("#e-importance", "9")
    page.click("#e-submit")
    page.wait_for_selector("#err-latitude")
    assert page.locator("#e-lat").input_value() == "abc"
    assert page.locator("#err-latitude").inner_text().startswith("Phải là một số")
    assert page.locator("#err-importance").inner_text() == "Phải từ 1 đến 5."
    # the message sits right under its own box, not in a banner somewhere else
    box = page.locator("#e-lat").bounding_box()
    note = page.locator("#err-latitude").bounding_box()
    assert box and note and 0 <= note["y"] - (box["y"] + box["height"]) < 40
    page.context.close()
