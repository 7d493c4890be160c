"""An app on the test database with the test registry, and a client per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
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


@pytest.fixture
def client(database: Database, settings: Settings, seed: Seed) -> Iterator[TestClient]:
    """An anonymous client of the app."""
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


def auth(seed: Seed, role: str) -> dict[str, str]:
    """Authorization header of the test user with this role."""
    return {"Authorization": f"Bearer {seed.tokens[role]}"}
