"""Benchmark: the area import of the demo province, and metrics series per `area` label level.

Run: .venv/bin/python -m bench.area_levels [--cameras 300]

Imports the new Quảng Ngãi of the demo (96 commune-level units, 5 clusters, 9 villages) into an
empty SQLite database and times it; then writes the test fleet (4 clusters of 3 communes) and counts
the series of one scrape with the `area` label at province, cluster and commune level.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.metrics.collector import StateCollector
from monitor.registry.area_import import import_areas
from monitor.simulator.demo import demo_area_table
from tests.dashboards.fleet import seed_fleet

AREA_FAMILIES = ("camwatch_incidents_open", "camwatch_tickets", "camwatch_ticket_repair")


def main() -> None:
    """Print the import time and the series counts per level."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'areas.db'}")
        upgrade(db.engine)
        started = time.perf_counter()
        with db.session() as session:
            summary = import_areas(session, Actor.system("bench"), demo_area_table())
        print(f"import of {summary.created} areas: {time.perf_counter() - started:.2f} s")
        db.dispose()
        fleet_db = Database(f"sqlite:///{Path(tmp) / 'fleet.db'}")
        upgrade(fleet_db.engine)
        seed_fleet(
            fleet_db, args.cameras, clusters=4, communes_per_cluster=3, now=datetime.now(UTC)
        )
        print("| level | series | of which per area |")
        print("|---|---|---|")
        for level in ("province", "cluster", "commune"):
            lines = StateCollector(fleet_db, level=level).exposition().decode().splitlines()
            samples = [line for line in lines if line and not line.startswith("#")]
            per_area = [line for line in samples if line.startswith(AREA_FAMILIES)]
            print(f"| {level} | {len(samples)} | {len(per_area)} |")
        fleet_db.dispose()


if __name__ == "__main__":
    main()
