"""The app with the plain test registry and October 2026 outages, for the page tests."""

from __future__ import annotations

import pytest

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.monitor.reports.outage_data import OutageSeed, seed_outages
from tests.registry_data import Seed, seed_registry


@pytest.fixture
def seed(database: Database, settings: Settings) -> Seed:
    """The plain test registry (without the shared fixture's outages happening now)."""
    return seed_registry(database, CameraRules.from_settings(settings))


@pytest.fixture
def outages(database: Database, seed: Seed) -> OutageSeed:
    """October 2026 outages."""
    return seed_outages(database, seed.crew_ids["st"])
