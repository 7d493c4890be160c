"""An app on the test database with the test registry, and a client per role."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import SESSION_COOKIE
from api.web.csrf import csrf_token
from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.registry_data import Seed, seed_registry, seed_ticket


@pytest.fixture
def seed(database: Database, settings: Settings) -> Seed:
    """The test registry, with an open ticket in each district."""
    seed = seed_registry(database, CameraRules.from_settings(settings))
    seed.ticket_ids["st_ticket"] = seed_ticket(database, settings, "ST-0001")
    seed.ticket_ids["bs_ticket"] = seed_ticket(database, settings, "BS-0001")
    return seed


def with_csrf_tokens(client: TestClient, settings: Settings) -> TestClient:
    """Let the client send the CSRF token a page's form would carry with each cookie POST.

    The forms themselves are exercised by the browser tests; tests/api/test_security.py attacks
    the check with clients that lack the token.
    """

    def add_token(request: httpx.Request) -> None:
        cookie = SimpleCookie(request.headers.get("cookie", ""))
        if request.method not in ("GET", "HEAD") and SESSION_COOKIE in cookie:
            request.headers["X-CSRF-Token"] = csrf_token(settings, cookie[SESSION_COOKIE].value)

    client.event_hooks = {"request": [add_token], "response": []}
    return client


@pytest.fixture
def client(database: Database, settings: Settings, seed: Seed) -> Iterator[TestClient]:
    """An anonymous client of the app (cookie POSTs carry their CSRF token, like a page's)."""
    with TestClient(create_app(settings, database)) as test_client:
        yield with_csrf_tokens(test_client, settings)


def auth(seed: Seed, role: str) -> dict[str, str]:
    """Authorization header of the test user with this role."""
    return {"Authorization": f"Bearer {seed.tokens[role]}"}
