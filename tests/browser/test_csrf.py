"""Finding 5 in a real browser: a page on another port of the same host posts a form to camwatch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select

from monitor.core.models import TicketEvent
from tests.browser.conftest import Site
from tests.browser.test_pages import log_in

pytestmark = pytest.mark.xdist_group("browser")


def _attacker(site: Site, ticket: int) -> Iterator[str]:
    """A hostile page on the same host, another port, that submits a comment form at once."""
    page = f"""<!doctype html><html><body>
<form id="f" method="post" action="{site.url}/tickets/{ticket}/comment">
<input name="comment" value="forged by another page"></form>
<script>document.getElementById("f").submit();</script></body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((urlsplit(site.url).hostname or "", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{server.server_address[0]}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _comments(site: Site, ticket: int) -> list[str]:
    with site.db.session() as s:
        events = s.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket, TicketEvent.action == "comment"
            )
        )
        return [e.comment for e in events]


def test_a_form_on_another_port_cannot_post_as_the_logged_in_technician(
    browser: Browser, site: Site
) -> None:
    ticket = site.outages.tickets["st1"]
    page = log_in(browser, site, "technician1", start=f"/tickets/{ticket}")
    for attack_url in _attacker(site, ticket):
        with page.expect_response(lambda r: r.url.endswith(f"/tickets/{ticket}/comment")) as sent:
            page.goto(attack_url)
        assert sent.value.status == 403
    assert "forged by another page" not in _comments(site, ticket)
    # The technician's own form still works.
    page.goto(f"{site.url}/tickets/{ticket}")
    page.fill("#comment", "đã thay nguồn")
    page.click("#comment-submit")
    page.wait_for_url(f"{site.url}/tickets/{ticket}")
    assert "đã thay nguồn" in _comments(site, ticket)
    page.context.close()
