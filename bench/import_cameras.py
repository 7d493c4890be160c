"""Benchmark: importing a 10,000-row camera file, first time and again (nothing to change).

Run: .venv/bin/python -m bench.import_cameras [--rows 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from monitor.registry.importer import import_cameras
from monitor.registry.sheets import read_table
from tests.registry_data import IMPORT_HEADER_VI, camera_rows, seed_registry, to_csv

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _timed_import(db: Database, rules: CameraRules, data: bytes) -> tuple[float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    with db.session() as session:
        summary = import_cameras(
            session, Actor.system("bench"), read_table(data, "cams.csv"), rules
        )
    outcome = f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged"
    return time.perf_counter() - wall, time.process_time() - cpu, outcome


def run(rows: int) -> list[tuple[str, str, float, float, str]]:
    """Import `rows` cameras twice on SQLite and on PostgreSQL; timings per run."""
    data = to_csv(IMPORT_HEADER_VI, camera_rows(rows))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            for backend, url in [
                ("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"),
                ("PostgreSQL", f"{POSTGRES}?options=-csearch_path%3D{schema}"),
            ]:
                db = Database(url)
                upgrade(db.engine)
                settings = Settings(
                    environment="test",
                    database_url=url,
                    secret_key="b" * 40,
                    allowed_probe_networks=["127.0.0.0/8"],
                    _env_file=None,
                )
                rules = CameraRules.from_settings(settings)
                seed_registry(db, rules)
                for label in ("first import", "same file again"):
                    wall, cpu, outcome = _timed_import(db, rules, data)
                    results.append((backend, label, wall, cpu, outcome))
                db.dispose()
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    return results


def main() -> None:
    """Print the results as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    print(f"camera import, {args.rows} rows (CSV, Vietnamese headers)\n")
    print("| database | run | wall s | CPU s (client) | outcome |")
    print("|---|---|---|---|---|")
    for backend, label, wall, cpu, outcome in run(args.rows):
        print(f"| {backend} | {label} | {wall:.2f} | {cpu:.2f} | {outcome} |")


if __name__ == "__main__":
    main()
