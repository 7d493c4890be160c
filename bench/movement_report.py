"""Benchmark: importing a province's model instances and building/exporting the committee report.

Run: .venv/bin/python -m bench.movement_report [--instances 2000] [--cameras 1000] [--days 30]

On SQLite and PostgreSQL: import the instances file twice (the second time nothing changes), put
`days` of hourly roll-ups under the cameras the "Camera an ninh" instances link, then build the
province report and export it to XLSX and PDF.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import Camera, HourlyRollup
from monitor.core.settings import Settings
from monitor.movement.export import report_pdf, report_xlsx
from monitor.movement.importer import import_instances
from monitor.movement.report import build_report
from monitor.registry.cameras import CameraRules
from monitor.registry.importer import import_cameras
from monitor.registry.sheets import read_table
from tests.registry_data import IMPORT_HEADER_VI, camera_rows, seed_registry, to_csv

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SYSTEM = Actor.system("bench")
HEADER = [
    "Mã mô hình",
    "Mã loại mô hình",
    "Tên mô hình",
    "Đơn vị thực hiện",
    "Mã địa bàn",
    "Ngày bắt đầu",
    "Hồ sơ đã có",
    "Năm",
    "Kinh phí (đồng)",
    "Chỉ tiêu",
    "Mục tiêu",
    "Đạt được",
    "Mã camera",
]
TYPES = ["camera-an-ninh", "ho-an-toan", "doi-cong-nhan-xung-kich", "truong-hoc-van-minh"]
AREAS = ["ST-TP", "BS-BT", "ST-TP-1"]


def instance_rows(count: int, cameras: list[str]) -> list[list[str]]:
    """`count` valid instance rows; camera instances link two cameras each while cameras last."""
    rows, pairs = [], iter(zip(cameras[::2], cameras[1::2], strict=False))
    for i in range(count):
        kind = TYPES[i % len(TYPES)]
        linked = ", ".join(next(pairs, ())) if kind == "camera-an-ninh" else ""
        done = "Quyết định xây dựng mô hình" if kind in ("camera-an-ninh", "ho-an-toan") else ""
        rows.append(
            [
                f"MM-{i:05d}",
                kind,
                f"Mô hình số {i} – {kind}",
                f"Đơn vị {i % 400}",
                AREAS[i % len(AREAS)],
                f"{2020 + i % 6}-0{1 + i % 9}-15",
                done,
                "2025",
                f"{(i % 50 + 1) * 1_000_000}",
                "Hộ an toàn",
                str(100 + i % 50),
                str(60 + i % 70),
                linked,
            ]
        )
    return rows


def _timed(func: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = func()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def _rollups(db: Database, camera_codes: list[str], days: int) -> int:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with db.session() as s:
        ids = list(s.scalars(select(Camera.id).where(Camera.code.in_(camera_codes))))
        rows = [
            {
                "camera_id": cid,
                "hour": end - timedelta(hours=h),
                "probes": 60,
                "successes": 57,
                "availability": 0.95,
                "metrics": {},
            }
            for cid in ids
            for h in range(days * 24)
        ]
        for start in range(0, len(rows), 20_000):
            s.execute(insert(HourlyRollup), rows[start : start + 20_000])
    return len(rows)


def run_backend(url: str, instances: int, cameras: int, days: int) -> list[tuple[str, ...]]:
    """Every measured step on one database."""
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
    cams = camera_rows(cameras, prefix="MMC")
    with db.session() as s:
        import_cameras(s, SYSTEM, read_table(to_csv(IMPORT_HEADER_VI, cams), "c.csv"), rules)
    codes = [row[0] for row in cams]
    data = to_csv(HEADER, instance_rows(instances, codes))
    out: list[tuple[str, ...]] = []
    for label in ("import, first time", "import, same file again"):

        def step() -> str:
            with db.session() as s:
                got = import_instances(s, SYSTEM, read_table(data, "models.csv"))
            return f"{got.created} created, {got.updated} updated, {got.unchanged} unchanged"

        wall, cpu, outcome = _timed(step)
        out.append((label, f"{wall:.2f}", f"{cpu:.2f}", outcome))
    rollups = _rollups(db, codes, days)

    def report():
        with db.session() as s:
            return build_report(s, SYSTEM, health_days=days)

    wall, cpu, built = _timed(report)
    out.append(
        (
            "province report (JSON model)",
            f"{wall:.2f}",
            f"{cpu:.2f}",
            f"{built.instances_total} instances, {len(built.camera_models)} camera models, "
            f"{rollups} roll-up rows, {len(built.overdue)} overdue",
        )
    )
    wall, cpu, xlsx = _timed(lambda: report_xlsx(built, "vi"))
    out.append(("XLSX export", f"{wall:.2f}", f"{cpu:.2f}", f"{len(xlsx) // 1024} KiB"))
    wall, cpu, pdf = _timed(lambda: report_pdf(built, "vi"))
    out.append(("PDF export", f"{wall:.2f}", f"{cpu:.2f}", f"{len(pdf) // 1024} KiB"))
    db.dispose()
    return out


def main() -> None:
    """Print the results as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    print(
        f"movement models: {args.instances} instances, {args.cameras} linked cameras, "
        f"{args.days} days of hourly roll-ups\n"
    )
    print("| database | step | wall s | CPU s | outcome |")
    print("|---|---|---|---|---|")
    schema = f"bench_mm_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for backend, url in [
                ("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"),
                ("PostgreSQL", f"{POSTGRES}?options=-csearch_path%3D{schema}"),
            ]:
                for row in run_backend(url, args.instances, args.cameras, args.days):
                    print(f"| {backend} | " + " | ".join(row) + " |", flush=True)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
