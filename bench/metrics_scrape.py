"""Benchmark: /metrics of a 10,000-camera fleet served by `camwatch serve`, SQLite and PostgreSQL.

Run: .venv/bin/python -m bench.metrics_scrape [--cameras 10000] [--scrapes 10] [--no-prometheus]

The fleet (tests.dashboards.fleet: 80 % up, 8 % degraded, 7 % down, 3 % unknown, 2 % maintenance,
one cluster entirely down, incidents, tickets, outbox) is written straight into the database. The
service runs as a real `camwatch serve --no-monitoring` process on loopback; the client times each
GET /metrics and reads the server's CPU from /proc. Then a real Prometheus scrapes it and reports
its own scrape_duration_seconds. In-process, the collector's text path is timed against
client_python's generate_latest over the same collector (why the text path exists).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import yaml
from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy import create_engine, text

from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.metrics.collector import StateCollector
from tests.dashboards.fleet import seed_fleet

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "dashboards" / "prometheus" / "camwatch-rules.yml"


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _in_process(db: Database) -> tuple[float, float]:
    """CPU seconds of one exposition: camwatch's text path vs client_python's generate_latest."""
    collector = StateCollector(db)
    registry = CollectorRegistry()
    registry.register(collector)
    collector.exposition()  # warm caches and connections
    start = time.process_time()
    collector.exposition()
    fast = time.process_time() - start
    start = time.process_time()
    generate_latest(registry)
    slow = time.process_time() - start
    return fast, slow


def _prometheus(target: str, tmp: Path) -> tuple[float, int]:
    """A real Prometheus scraping every 5 s: its scrape_duration_seconds and sample count."""
    host = "127.0.0.1"
    port = _free_port(host)
    config = {
        "global": {"scrape_interval": "5s", "scrape_timeout": "5s", "evaluation_interval": "5s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{"job_name": "camwatch", "static_configs": [{"targets": [target]}]}],
    }
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
    proc = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={tmp / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp / 'tsdb'}",
            f"--web.listen-address={host}:{port}",
            "--log.level=error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://{host}:{port}"
    try:
        _wait(f"{url}/-/ready")
        durations: list[float] = []
        samples = 0
        deadline = time.monotonic() + 60
        while len(durations) < 4 and time.monotonic() < deadline:
            time.sleep(5)
            result = httpx.get(
                f"{url}/api/v1/query",
                params={
                    "query": '{job="camwatch", __name__=~"up|scrape_duration_seconds|'
                    'scrape_samples_scraped"}'
                },
            ).json()["data"]["result"]
            by_name = {r["metric"]["__name__"]: float(r["value"][1]) for r in result}
            if by_name.get("up") == 1.0:
                durations.append(by_name["scrape_duration_seconds"])
                samples = int(by_name["scrape_samples_scraped"])
        # The first scrape creates every series in Prometheus' head; later ones are steady state.
        return statistics.median(durations[1:]) if len(durations) > 1 else float("nan"), samples
    finally:
        proc.terminate()
        proc.wait(10)


def run_backend(
    label: str, url: str, cameras: int, scrapes: int, with_prometheus: bool, tmp: Path
) -> dict[str, object]:
    """Seed the fleet on one backend and measure /metrics."""
    db = Database(url)
    upgrade(db.engine)
    started = time.perf_counter()
    seed_fleet(db, cameras, clusters=10, communes_per_cluster=12)
    seeded = time.perf_counter() - started
    fast_cpu, slow_cpu = _in_process(db)
    host = "127.0.0.1"
    port = _free_port(host)
    env = {
        **os.environ,
        "CAMWATCH_DATABASE_URL": url,
        "CAMWATCH_ENVIRONMENT": "test",
        "CAMWATCH_SECRET_KEY": "b" * 40,
        "CAMWATCH_DATA_DIR": str(tmp / label),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/camwatch"),
            "serve",
            "--no-monitoring",
            "--host",
            host,
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://{host}:{port}/healthz")
        httpx.get(f"http://{host}:{port}/metrics", timeout=30)  # first scrape builds the registry
        walls, cpus = [], []
        body = b""
        for _ in range(scrapes):
            cpu0, wall0 = _cpu_seconds(server.pid), time.perf_counter()
            response = httpx.get(f"http://{host}:{port}/metrics", timeout=30)
            walls.append(time.perf_counter() - wall0)
            cpus.append(_cpu_seconds(server.pid) - cpu0)
            body = response.content
        series = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
        camera_series = sum(1 for line in body.splitlines() if line.startswith(b"camwatch_camera_"))
        prom = _prometheus(f"{host}:{port}", tmp / f"prom-{label}") if with_prometheus else None
    finally:
        server.terminate()
        server.wait(10)
        db.dispose()
    return {
        "backend": label,
        "seed_s": seeded,
        "median_s": statistics.median(walls),
        "max_s": max(walls),
        "server_cpu_s": statistics.median(cpus),
        "bytes": len(body),
        "series": series,
        "camera_series": camera_series,
        "fast_cpu_s": fast_cpu,
        "client_python_cpu_s": slow_cpu,
        "prometheus": prom,
    }


def main() -> None:
    """Print the results as Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=10_000)
    parser.add_argument("--scrapes", type=int, default=10)
    parser.add_argument("--no-prometheus", action="store_true")
    args = parser.parse_args()
    if shutil.which("prometheus") is None:
        args.no_prometheus = True
    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            for label, url in [
                ("SQLite", f"sqlite:///{tmp / 'bench.db'}"),
                ("PostgreSQL", f"{POSTGRES}?options=-csearch_path%3D{schema}"),
            ]:
                results.append(
                    run_backend(label, url, args.cameras, args.scrapes, not args.no_prometheus, tmp)
                )
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    print(f"/metrics, {args.cameras} cameras, {args.scrapes} scrapes per backend\n")
    print(
        "| database | GET /metrics median s | max s | server CPU s per scrape | series "
        "| of which per camera | body MB | Prometheus scrape_duration s (median, scrapes 2-4) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        prom = r["prometheus"]
        prom_text = f"{prom[0]:.3f} ({prom[1]} samples)" if prom else "not run"
        print(
            f"| {r['backend']} | {r['median_s']:.3f} | {r['max_s']:.3f} | "
            f"{r['server_cpu_s']:.3f} | {r['series']} | {r['camera_series']} | "
            f"{r['bytes'] / 1e6:.1f} | {prom_text} |"
        )
    print(
        "\n| database | exposition CPU s, camwatch text path | same collector via client_python "
        "generate_latest | fleet seeding s |"
    )
    print("|---|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['backend']} | {r['fast_cpu_s']:.3f} | {r['client_python_cpu_s']:.3f} | "
            f"{r['seed_s']:.1f} |"
        )


if __name__ == "__main__":
    main()
