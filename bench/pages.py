"""Benchmark: the home overview, the map and the camera search with 10,000 cameras.

Run: .venv/bin/python -m bench.pages [--cameras 10000] [--repeat 10] [--postgres]

The registry of bench.coverage (10 clusters, 100 communes, cameras over ~45 x 45 km) with a
current state for every camera (80 % up, 8 % down, 7 % degraded, 3 % maintenance, the rest never
probed) and two incidents each. Each page is asked through the app (TestClient, a logged-in admin
who sees the whole province), timed from request to the full HTML (wall), and by the CPU the
process spent (client and app share it: TestClient runs the app in this process); the map page
carries every camera as JSON.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, select, text

from api.app import create_app
from bench.coverage import POSTGRES, build
from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import Camera, CameraStatus, HealthState, Role, utcnow
from monitor.core.settings import Settings
from monitor.registry import users
from monitor.registry.schemas import UserCreate

PAGES = ("/", "/map", "/cameras?q=xa+3-4", "/search?q=thon+7", "/cameras?state=down")


def add_states(db: Database, seed: int = 11) -> None:
    """A current state for every camera."""
    rng = random.Random(seed)
    with db.session() as s:
        ids = list(s.scalars(select(Camera.id)))
        rows = []
        for camera_id in ids:
            r = rng.random()
            if r > 0.98:
                continue  # never probed
            state = (
                HealthState.UP
                if r < 0.80
                else HealthState.DOWN
                if r < 0.88
                else HealthState.DEGRADED
                if r < 0.95
                else HealthState.MAINTENANCE
            )
            rows.append({"camera_id": camera_id, "state": state, "since": utcnow(), "faults": []})
        s.execute(insert(CameraStatus), rows)


def run(url: str, cameras: int, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Build the data set at this URL; (wall ms, CPU ms) of each page, `repeat` times."""
    db = Database(url)
    upgrade(db.engine)
    build(db, cameras, 2)
    add_states(db)
    with db.session() as s:
        _, token = users.create_user(
            s, Actor.system(), UserCreate(username="bench", role=Role.ADMIN)
        )
    settings = Settings(environment="test", database_url=url, secret_key="b" * 48, _env_file=None)
    times: dict[str, list[tuple[float, float]]] = {p: [] for p in PAGES}
    with TestClient(create_app(settings, db)) as client:
        client.cookies.set("camwatch_session", token)
        for page in PAGES:
            assert client.get(page).status_code == 200  # warm-up (templates, caches)
            for _ in range(repeat):
                start, cpu = time.perf_counter(), time.process_time()
                answer = client.get(page)
                times[page].append(
                    ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
                )
                assert answer.status_code == 200
    db.dispose()
    return times


def main() -> None:
    """Print a table of median and max times per page."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
        try:
            times = run(url, args.cameras, args.repeat)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            times = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.cameras, args.repeat)
    print(f"| page ({args.cameras} cameras) | wall median ms | wall max ms | CPU median ms |")
    print("|---|---|---|---|")
    for page, values in times.items():
        wall = [w for w, _ in values]
        cpu = [c for _, c in values]
        print(
            f"| `{page}` | {statistics.median(wall):.0f} | {max(wall):.0f} "
            f"| {statistics.median(cpu):.0f} |"
        )


if __name__ == "__main__":
    main()
