"""Movement tests work on the seeded test registry plus one instance of each built-in type."""

from __future__ import annotations

import pytest

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.movement_data import seed_movement
from tests.registry_data import Seed, seed_registry


@pytest.fixture
def seed(database: Database, settings: Settings) -> Seed:
    """The test registry with the movement instances."""
    seeded = seed_registry(database, CameraRules.from_settings(settings))
    seed_movement(database)
    return seeded
