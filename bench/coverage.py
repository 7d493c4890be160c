"""Benchmark: coverage look-up with 10,000 cameras and a year of outages, SQLite and PostgreSQL.

Run: .venv/bin/python -m bench.coverage [--cameras 10000] [--outages-per-camera 24] [--queries 40]

The data set: one province, 10 clusters, 100 communes, cameras spread over about 45 x 45 km
around Quảng Ngãi, each with `--outages-per-camera` incidents of 10 minutes to 3 days spread over
2025 (a tenth still open at the end). Each query asks for the cameras within a radius of a random
registered camera's place, at a moment and over a day, through `monitor.reports.coverage.look_up`
(the same function the API calls), and is timed from the call to the answer.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import Area, AreaLevel, Camera, Incident, IncidentKind
from monitor.reports.coverage import look_up

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
CENTRE = (15.12, 108.80)
SPREAD_DEG = 0.2  # ± about 22 km


def build(db: Database, cameras: int, per_camera: int, seed: int = 7) -> list[tuple[float, float]]:
    """Fill an empty database; the camera places, for the queries."""
    rng = random.Random(seed)
    now = datetime(2024, 12, 1, tzinfo=UTC)
    with db.session() as s:
        province = Area(code="QNG", name="Tỉnh Quảng Ngãi", level=AreaLevel.PROVINCE, path="/")
        s.add(province)
        s.flush()
        province.path = f"/{province.id}/"
        communes = []
        for d in range(10):
            cluster = Area(
                code=f"D{d}",
                name=f"Cụm {d}",
                level=AreaLevel.CLUSTER,
                parent_id=province.id,
                path="",
            )
            s.add(cluster)
            s.flush()
            cluster.path = f"{province.path}{cluster.id}/"
            for c in range(10):
                commune = Area(
                    code=f"D{d}-C{c}",
                    name=f"Xã {d}-{c}",
                    level=AreaLevel.COMMUNE,
                    parent_id=cluster.id,
                    path="",
                )
                s.add(commune)
                s.flush()
                commune.path = f"{cluster.path}{commune.id}/"
                communes.append(commune.id)
        places = []
        rows = []
        for i in range(cameras):
            lat = CENTRE[0] + rng.uniform(-SPREAD_DEG, SPREAD_DEG)
            lon = CENTRE[1] + rng.uniform(-SPREAD_DEG, SPREAD_DEG)
            places.append((lat, lon))
            rows.append(
                {
                    "code": f"CAM-{i:05d}",
                    "name": f"Camera {i}",
                    "address": f"Thôn {i % 50}",
                    "area_id": communes[i % len(communes)],
                    "latitude": lat,
                    "longitude": lon,
                    "onvif_host": f"127.{10 + i // 65536}.{i // 256 % 256}.{i % 256}",
                    "onvif_port": 80,
                    "rtsp_port": 554,
                    "probe_profile": {},
                    "enabled": True,
                    "upstream_device": "",
                    "importance": 3,
                    "tags": [],
                    "vendor": "",
                    "model": "",
                    "serial": "",
                    "firmware": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        s.execute(insert(Camera), rows)
        ids = [r[0] for r in s.execute(text("SELECT id FROM cameras ORDER BY id"))]
        batch = []
        for camera_id in ids:
            for _ in range(per_camera):
                start = YEAR_START + timedelta(seconds=rng.uniform(0, 365 * 86400))
                length = timedelta(seconds=rng.uniform(600, 3 * 86400))
                still_open = rng.random() < 0.1 / per_camera
                batch.append(
                    {
                        "kind": IncidentKind.CAMERA,
                        "camera_id": camera_id,
                        "state": "down" if rng.random() < 0.7 else "degraded",
                        "started_at": start,
                        "ended_at": None if still_open else start + length,
                        "faults": ["offline"],
                        "reason": "",
                        "in_maintenance": False,
                    }
                )
            if len(batch) >= 20_000:
                s.execute(insert(Incident), batch)
                batch = []
        if batch:
            s.execute(insert(Incident), batch)
    return places


def measure(
    db: Database,
    places: list[tuple[float, float]],
    queries: int,
    radius: float,
    ranged: bool,
    seed: int = 11,
) -> list[float]:
    """Milliseconds per look-up (a fresh session each, as a request has)."""
    rng = random.Random(seed)
    actor = Actor.system("bench")
    timings = []
    for _ in range(queries):
        lat, lon = rng.choice(places)
        start = YEAR_START + timedelta(seconds=rng.uniform(0, 360 * 86400))
        end = start + timedelta(days=1) if ranged else None
        began = time.perf_counter()
        with db.session() as s:
            answer = look_up(
                s,
                actor,
                lat=lat,
                lon=lon,
                radius_m=radius,
                start=start,
                end=end,
                now=datetime(2026, 1, 1, tzinfo=UTC),
            )
        timings.append((time.perf_counter() - began) * 1000)
        assert answer.cameras, "the camera at the centre is always within the radius"
    return timings


def main() -> None:
    """Build the data set on both backends and print a table of look-up times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=10_000)
    parser.add_argument("--outages-per-camera", type=int, default=24)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    print(f"{args.cameras} cameras, {args.cameras * args.outages_per_camera} outages in 2025")
    print("| backend | radius | time asked | cameras found | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for backend, url in [
                ("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"),
                ("PostgreSQL", f"{POSTGRES}?options=-csearch_path%3D{schema}"),
            ]:
                db = Database(url)
                upgrade(db.engine)
                began = time.perf_counter()
                places = build(db, args.cameras, args.outages_per_camera)
                if db.is_postgresql:
                    with db.engine.begin() as conn:
                        conn.execute(text("ANALYZE"))
                built = time.perf_counter() - began
                for radius in (300.0, 1000.0, 3000.0):
                    for ranged in (False, True):
                        ms = measure(db, places, args.queries, radius, ranged)
                        found = _found(db, places, radius)
                        p95 = sorted(ms)[int(0.95 * (len(ms) - 1))]
                        print(
                            f"| {backend} | {radius:.0f} m | {'one day' if ranged else 'moment'}"
                            f" | {found} | {statistics.median(ms):.1f} | {p95:.1f} | "
                            f"{max(ms):.1f} |"
                        )
                print(f"<!-- {backend}: data set built in {built:.0f} s -->")
                db.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _found(db: Database, places: list[tuple[float, float]], radius: float) -> int:
    rng = random.Random(11)
    counts = []
    with db.session() as s:
        for _ in range(10):
            lat, lon = rng.choice(places)
            answer = look_up(
                s,
                Actor.system("bench"),
                lat=lat,
                lon=lon,
                radius_m=radius,
                start=YEAR_START + timedelta(days=100),
            )
            counts.append(len(answer.cameras))
    return int(statistics.median(counts))


if __name__ == "__main__":
    main()
