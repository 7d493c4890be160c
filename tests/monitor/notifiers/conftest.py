"""Fixtures for notifier tests: the test registry, fast retry settings, real loopback peers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.peers.smtp_server import SmtpServer
from tests.peers.webhook_receiver import WebhookReceiver
from tests.registry_data import Seed, seed_registry


@pytest.fixture
def seed(database: Database, settings: Settings) -> Seed:
    """The test registry."""
    return seed_registry(database, CameraRules.from_settings(settings))


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP webhook receiver on a unique loopback address."""
    with WebhookReceiver() as hook:
        yield hook


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a unique loopback address."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def notify_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    """Settings with short timeouts, a two-step retry schedule and the loopback SMTP server."""
    return settings.model_copy(
        update={
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_from": "camwatch@quangngai.test",
            # The SMTP server runs in the test's own process: on a loaded machine its thread
            # may answer a few seconds late (2 s once ended a delivery as "disconnected").
            "smtp_timeout_seconds": 10.0,
            "webhook_timeout_seconds": 1.0,
            "notify_retry_seconds": [10.0, 60.0],
        }
    )
