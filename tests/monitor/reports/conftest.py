"""The test registry with October 2026 outages, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.monitor.reports.outage_data import OutageSeed, seed_outages
from tests.registry_data import Seed, seed_registry


@pytest.fixture
def seed(database: Database, settings: Settings) -> Seed:
    """The test registry."""
    return seed_registry(database, CameraRules.from_settings(settings))


@pytest.fixture
def outages(database: Database, seed: Seed) -> OutageSeed:
    """The outages of October 2026."""
    return seed_outages(database, seed.crew_ids["st"])
