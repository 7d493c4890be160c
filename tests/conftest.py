"""Shared fixtures: every database test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import Base
from monitor.core.settings import Settings

POSTGRES_URL = os.environ.get(
    "CAMWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a grouped test that --dist loadgroup did not group, instead of running it alongside.

    Tests are grouped because they share something a parallel twin would break (one Chromium,
    one RabbitMQ vhost, two cores for a 10,000-camera fleet); pytest-xdist marks a grouped test
    by a suffix on its node id, which some pytest releases no longer keep (pytest-xdist #1386).
    """
    grouped = item.get_closest_marker("xdist_group") is not None
    if grouped and item.config.getoption("loadgroup", False) and "@" not in item.nodeid:
        pytest.fail(
            "--dist loadgroup ignored this test's xdist_group: this pytest and pytest-xdist "
            "do not work together (see the pytest pin in pyproject.toml)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per worker, copied for every test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str]:
    """A schema of its own in the test database per worker, migrated once, dropped at the end."""
    schema = f"cw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "camwatch.db"
        shutil.copy(template, path)
        db = Database(f"sqlite:///{path}")
    else:
        db = Database(request.getfixturevalue("_postgres_schema"))
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    """Test settings pointing at the test database."""
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=database.url,
        secret_key="test-secret-key-" + "x" * 40,
        allowed_probe_networks=["127.0.0.0/8"],
        webhook_allowed_hosts=["127.0.0.0/8"],  # the test webhook receivers listen on loopback
        _env_file=None,
    )
