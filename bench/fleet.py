"""Fleet steady state: `camwatch scheduler` watching N simulated cameras at the default intervals.

Run: ``.venv/bin/python -m bench.fleet --cameras 10000 --minutes 30 --database sqlite``

The simulated fleet (`camwatch simulate --healthy --no-rtsp`) runs in its own process; the
cameras are registered like an installer's spreadsheet; then `camwatch scheduler` runs with its
default intervals (TCP 60 s, ONVIF and snapshot 900 s). Its CPU and RSS are read from /proc (the
simulator's are not counted), lag and probe counts from its own /metrics. Reported: probes/s
needed and achieved, scheduler lag p50/p99 (from the lag histogram, after `--warmup` minutes),
CPU (cores), RSS at the start of the measured window and at the end, cameras of the healthy fleet
that ever left `up`, "Unclosed client session" lines in the log, the bytes per raw result and the
database's growth per day extrapolated from the run. The load average is printed beside every
figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import CameraStatus, HealthState, ProbeRecord, StateChange, utcnow
from monitor.core.settings import Settings
from monitor.simulator import build_fleet
from monitor.simulator.demo import register_areas, register_cameras

CAMWATCH = str(Path(sys.executable).parent / "camwatch")
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
POSTGRES = os.environ.get(
    "CAMWATCH_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    """Resident set size of one process, MB."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20


def load() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


@dataclass
class Scrape:
    """What one read of the scheduler's /metrics gave."""

    lag_buckets: dict[float, float]
    lag_count: float
    probes: float


def scrape(port: int) -> Scrape:
    """Read the lag histogram and the probe counter from the scheduler's /metrics."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    buckets: dict[float, float] = {}
    count = probes = 0.0
    for line in body.splitlines():
        if line.startswith("camwatch_scheduler_lag_seconds_bucket"):
            le = re.search(r'le="([^"]+)"', line).group(1)  # type: ignore[union-attr]
            buckets[float(le)] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("camwatch_scheduler_lag_seconds_count"):
            count = float(line.rsplit(" ", 1)[1])
        elif line.startswith("camwatch_probes_total{"):
            probes += float(line.rsplit(" ", 1)[1])
    return Scrape(buckets, count, probes)


def quantile(first: Scrape, last: Scrape, q: float) -> float:
    """The q-quantile of lag between two scrapes (linear within a bucket, like PromQL)."""
    total = last.lag_count - first.lag_count
    if total <= 0:
        return float("nan")
    rank, below, lower = q * total, 0.0, 0.0
    for le in sorted(last.lag_buckets):
        count = last.lag_buckets[le] - first.lag_buckets.get(le, 0.0)
        if count >= rank:
            if le == float("inf"):
                return lower
            inside = count - below
            return lower + (le - lower) * ((rank - below) / inside if inside else 1.0)
        below, lower = count, le
    return lower


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Block until host:port accepts TCP (the simulator is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.5)
    raise SystemExit(f"{host}:{port} never answered")


def database_bytes(db: Database, schema: str | None) -> int:
    """Bytes the database takes (SQLite file and WAL; PostgreSQL: the schema's relations)."""
    if schema is None:
        path = Path(db.url.split("///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with db.engine.connect() as conn:
        return int(
            conn.scalar(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :s AND c.relkind = 'r'"
                ),
                {"s": schema},
            )
        )


def results_bytes(db: Database, schema: str | None) -> int:
    """Bytes the raw results take: their table and its indexes."""
    table = ProbeRecord.__tablename__
    with db.engine.connect() as conn:
        if schema is None:  # SQLite's page statistics (dbstat), table and index pages
            return int(
                conn.scalar(
                    text(
                        "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name "
                        "FROM sqlite_master WHERE tbl_name = :t)"
                    ),
                    {"t": table},
                )
            )
        return int(conn.scalar(text("SELECT pg_total_relation_size(:t)"), {"t": table}))


def _rows(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(ProbeRecord)) or 0


def _lags(db: Database, since: datetime) -> list[float]:
    with db.session() as s:
        return sorted(s.scalars(select(ProbeRecord.lag_seconds).where(ProbeRecord.at >= since)))


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    """Run the fleet and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0, help="minutes not measured")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--base-address", default="127.40.0.1")
    parser.add_argument("--size", default="640x360", help="snapshot size WIDTHxHEIGHT")
    parser.add_argument("--metrics-port", type=int, default=19191)
    parser.add_argument("--profile", type=Path, help="py-spy flame graph (SVG) of the scheduler")
    parser.add_argument(
        "--celery-workers",
        type=int,
        default=0,
        help="run probes in this many `camwatch worker` processes (RabbitMQ at 127.0.0.1:5672)",
    )
    args = parser.parse_args()
    # Stopped with SIGTERM (timeout, kill): still stop the fleet and the scheduler below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="camwatch-fleet-"))
    schema = None
    if args.database == "sqlite":
        url = f"sqlite:///{work / 'camwatch.db'}"
    else:
        schema = f"fleet_{uuid.uuid4().hex[:10]}"
        with create_engine(POSTGRES).begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    secret = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "CAMWATCH_ENVIRONMENT": "development",
        "CAMWATCH_DATABASE_URL": url,
        "CAMWATCH_SECRET_KEY": secret,
        "CAMWATCH_DATA_DIR": str(work / "data"),
        "CAMWATCH_ALLOWED_PROBE_NETWORKS": "127.0.0.0/8",
    }
    if args.celery_workers:
        # Queues of their own, so that nothing else on this broker takes or sends these probes.
        env["CAMWATCH_RUNNER_MODE"] = "celery"
        env["CAMWATCH_CELERY_QUEUE_PREFIX"] = f"camwatch.bench{uuid.uuid4().hex[:8]}"
    width, height = (int(v) for v in args.size.split("x"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        sim_log = (work / "simulate.log").open("wb")
        sim = subprocess.Popen(
            [
                *(CAMWATCH, "simulate", "-n", str(args.cameras)),
                *("--base-address", args.base_address, "--healthy", "--no-rtsp"),
                *("--rtsp-count", "0", "--size", args.size),
            ],
            env=env,
            stdout=sim_log,
            stderr=subprocess.STDOUT,
        )
        procs.append(sim)
        cameras = build_fleet(
            args.cameras,
            0,
            base_address=args.base_address,
            rtsp_count=0,
            faults=False,
            width=width,
            height=height,
        )
        db = Database(url)
        upgrade(db.engine)
        settings = Settings(
            _env_file=None,
            **{"database_url": url, "data_dir": work / "data", "secret_key": secret},
        )
        register_areas(db)
        register_cameras(db, settings, cameras)
        wait_for_port(cameras[-1].address, cameras[-1].onvif_port, 600)
        size_start = database_bytes(db, schema)

        log_path = work / "scheduler.log"
        scheduler = subprocess.Popen(
            [CAMWATCH, "scheduler", "--metrics-port", str(args.metrics_port)],
            env=env,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        procs.append(scheduler)
        workers = [
            subprocess.Popen(
                [CAMWATCH, "worker", "--concurrency", "16"],
                env=env,
                stdout=(work / f"worker{i}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            for i in range(args.celery_workers)
        ]
        procs.extend(workers)
        started = time.monotonic()
        time.sleep(3)
        if args.profile:
            procs.append(
                subprocess.Popen(
                    [
                        *(str(Path(sys.executable).parent / "py-spy"), "record"),
                        *("-p", str(scheduler.pid), "-o", str(args.profile), "-d", "120"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        print(f"work dir {work}; fleet of {args.cameras} up; scheduler pid {scheduler.pid}")
        warm = started + args.warmup * 60
        end = started + (args.warmup + args.minutes) * 60
        first = cpu0 = rss0 = t0 = None
        rss_max = 0.0
        loads = []
        while time.monotonic() < end:
            time.sleep(10)
            if scheduler.poll() is not None:
                raise SystemExit(f"the scheduler exited; see {log_path}")
            now = time.monotonic()
            rss = rss_mb(scheduler.pid)
            loads.append(load())
            if first is None and now >= warm:
                first, cpu0, rss0, t0 = (
                    scrape(args.metrics_port),
                    cpu_seconds(scheduler.pid),
                    rss,
                    now,
                )
                rows0, wcpu0, window = _rows(db), sum(cpu_seconds(w.pid) for w in workers), utcnow()
            elif first is not None:
                rss_max = max(rss_max, rss)
                last = scrape(args.metrics_port)
                minute = (now - t0) / 60
                print(
                    f"{minute:5.1f} min: {(last.probes - first.probes) / (now - t0):6.1f} probes/s,"
                    f" lag p99 {quantile(first, last, 0.99):6.2f} s,"
                    f" CPU {(cpu_seconds(scheduler.pid) - cpu0) / (now - t0):.2f},"
                    f" RSS {rss:.0f} MB, load {loads[-1]:.1f}",
                    flush=True,
                )
        assert first is not None and t0 is not None and cpu0 is not None and rss0 is not None
        last = scrape(args.metrics_port)
        if workers:
            elapsed = time.monotonic() - t0
            lags = _lags(db, window)
            wcpu = (sum(cpu_seconds(w.pid) for w in workers) - wcpu0) / elapsed
            print(
                f"celery, {len(workers)} worker process(es): "
                f"{(_rows(db) - rows0) / elapsed:.1f} probes/s stored, "
                f"lag p50 {_pct(lags, 0.5):.2f} s p99 {_pct(lags, 0.99):.2f} s, "
                f"scheduler CPU {(cpu_seconds(scheduler.pid) - cpu0) / elapsed:.2f}, "
                f"workers CPU {wcpu:.2f}, worker RSS "
                f"{', '.join(f'{rss_mb(w.pid):.0f}' for w in workers)} MB, "
                f"load {min(loads):.1f}-{max(loads):.1f}"
            )
        elapsed = time.monotonic() - t0
        cpu = (cpu_seconds(scheduler.pid) - cpu0) / elapsed
        rss_end = rss_mb(scheduler.pid)
        total_minutes = (time.monotonic() - started) / 60
        with db.session() as s:
            rows = s.scalar(select(func.count()).select_from(ProbeRecord)) or 0
            not_up = (
                s.scalar(
                    select(func.count())
                    .select_from(CameraStatus)
                    .where(CameraStatus.state != HealthState.UP)
                )
                or 0
            )
            left_up = (
                s.scalar(
                    select(func.count(func.distinct(StateChange.camera_id))).where(
                        StateChange.from_state == HealthState.UP
                    )
                )
                or 0
            )
        size_end = database_bytes(db, schema)
        per_result = results_bytes(db, schema) / max(1, rows)
        unclosed = log_path.read_text(errors="replace").count("Unclosed client session")
        needed = args.cameras * (1 / 60 + 2 / 900)
        per_day = 1440 / total_minutes
        print()
        print(
            "| cameras | database | probes/s needed | achieved | lag p50 | lag p99 | CPU (cores) "
            "| RSS start → end (max) | left `up` / not `up` at end | unclosed sessions "
            "| rows/day | bytes/result | results MB/day | whole database MB/day | minutes "
            "| load avg (min–max) |"
        )
        print(
            f"| {args.cameras:,} | {args.database} | {needed:.0f} "
            f"| {(last.probes - first.probes) / elapsed:.0f} "
            f"| {quantile(first, last, 0.5):.2f} s | {quantile(first, last, 0.99):.2f} s "
            f"| {cpu:.2f} | {rss0:.0f} → {rss_end:.0f} ({rss_max:.0f}) MB | {left_up} / {not_up} "
            f"| {unclosed} | {rows * per_day:,.0f} | {per_result:.0f} "
            f"| {rows * per_day * per_result / 2**20:,.0f} "
            f"| {(size_end - size_start) * per_day / 2**20:,.0f} "
            f"| {args.minutes:g} | {min(loads):.1f}–{max(loads):.1f} |"
        )
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if schema is not None:
            with create_engine(POSTGRES).begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


if __name__ == "__main__":
    main()
