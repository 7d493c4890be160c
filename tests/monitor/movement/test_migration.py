"""Migration 0003 on a fresh database of each backend: tables, seeded types, down and up again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from monitor.core.db import Database
from monitor.core.migrate import alembic_config, upgrade
from tests.conftest import POSTGRES_URL

MOVEMENT_TABLES = {
    "movement_types",
    "movement_instances",
    "movement_budgets",
    "movement_targets",
    "movement_instance_cameras",
    "movement_reviews",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with nothing in it yet."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield db
        db.dispose()
        return
    schema = f"cw_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    yield db
    db.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_upgrade_seeds_the_builtin_types_and_downgrade_removes_the_tables(
    fresh: Database,
) -> None:
    upgrade(fresh.engine)
    with fresh.engine.connect() as conn:
        rows = conn.execute(text("SELECT code, name_vi, builtin FROM movement_types")).all()
    assert {r.code for r in rows} == {
        "camera-an-ninh",
        "truong-hoc-van-minh",
        "doi-cong-nhan-xung-kich",
        "ho-an-toan",
    }
    assert all(r.builtin for r in rows)
    assert "Hộ an toàn, Thôn, Tổ dân phố bình yên" in {r.name_vi for r in rows}
    _downgrade(fresh, "0002")
    assert not MOVEMENT_TABLES & set(inspect(fresh.engine).get_table_names())
    upgrade(fresh.engine)
    assert set(inspect(fresh.engine).get_table_names()) >= MOVEMENT_TABLES


def test_review_figures_column_up_and_down(fresh: Database) -> None:
    def columns() -> set[str]:
        return {c["name"] for c in inspect(fresh.engine).get_columns("movement_reviews")}

    upgrade(fresh.engine)
    assert "figures" in columns()
    _downgrade(fresh, "0005")
    assert "figures" not in columns() and "reviewer" in columns()
    upgrade(fresh.engine)
    assert "figures" in columns()
