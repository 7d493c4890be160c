"""Registry tests work on the seeded test registry."""

from __future__ import annotations

import pytest

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.registry_data import Seed, seed_registry


@pytest.fixture
def rules(settings: Settings) -> CameraRules:
    """Encryption and address rules of the test settings."""
    return CameraRules.from_settings(settings)


@pytest.fixture
def seed(database: Database, rules: CameraRules) -> Seed:
    """The seeded test registry."""
    return seed_registry(database, rules)
