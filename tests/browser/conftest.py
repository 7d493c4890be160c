"""The app served by uvicorn on its own loopback address, and one headless Chromium per module."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import select

from api.app import create_app
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import User
from monitor.core.security import hash_password
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.monitor.reports.outage_data import OutageSeed, seed_outages
from tests.registry_data import PASSWORD, Seed, seed_registry

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Site:
    """A running app: its base URL and what the test registry holds."""

    url: str
    seed: Seed
    outages: OutageSeed
    db: Database


def _loopback_socket() -> socket.socket:
    """A listening socket on a 127.x address of this worker's own (port chosen by the kernel)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    host = f"127.93.{int(worker) % 250 + 1}.{os.getpid() % 250 + 1}"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(64)
    return sock


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on SQLite with the test registry and the October 2026 outages, served for real."""
    tmp: Path = tmp_path_factory.mktemp("browser")
    db = Database(f"sqlite:///{tmp / 'camwatch.db'}")
    upgrade(db.engine)
    settings = Settings(
        environment="test",
        data_dir=tmp / "data",
        database_url=db.url,
        secret_key="test-secret-key-" + "x" * 40,
        allowed_probe_networks=["127.0.0.0/8"],
        _env_file=None,
    )
    seed = seed_registry(db, CameraRules.from_settings(settings))
    outages = seed_outages(db, seed.crew_ids["st"])
    with db.session() as s:  # the crew and technician users log in through the form too
        for name in ("crew1", "technician1"):
            s.scalar(select(User).where(User.username == name)).password_hash = hash_password(
                PASSWORD
            )
    sock = _loopback_socket()
    host, port = sock.getsockname()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, db), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Site(f"http://{host}:{port}", seed, outages, db)
    server.should_exit = True
    thread.join(10)
    sock.close()
    db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the module."""
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
