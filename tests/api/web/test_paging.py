"""Paging on the web pages: a page past the end or a nonsense page number gives a usable page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.api.web.test_pages import login_as
from tests.monitor.reports.outage_data import OutageSeed
from tests.registry_data import Seed


def test_outage_page_past_the_end_shows_the_last_page_and_says_so(
    client: TestClient, seed: Seed, outages: OutageSeed
) -> None:
    login_as(client, seed, "police")
    first = client.get("/outages")
    total = re.search(r'id="outage-total">(\d+)<', first.text).group(1)
    assert int(total) > 0
    far = client.get("/outages", params={"page": "999"})
    assert far.status_code == 200
    assert "Không có trang 999: chỉ có 1 trang, đang hiện trang 1." in far.text
    assert "Không có sự cố nào" not in far.text  # not "no outages" beside a total of many
    assert f'id="outage-total">{total}<' in far.text
    assert far.text.count('<tr class="outage"') == first.text.count('<tr class="outage"')


@pytest.mark.parametrize("path", ["/outages", "/tickets", "/movement", "/cameras", "/audit"])
@pytest.mark.parametrize("page", ["-1", "abc"])
def test_a_nonsense_page_number_is_the_first_page_not_json(
    client: TestClient, seed: Seed, outages: OutageSeed, path: str, page: str
) -> None:
    login_as(client, seed, "admin")
    answer = client.get(path, params={"page": page})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "Trang 1 /" in answer.text or "Không có" in answer.text
