"""Acceptance: a real Prometheus scrapes the running service over a simulated fleet with faults.

Every dashboard panel query (template variables filled with real values), every variable query and
every rule expression is evaluated through Prometheus' HTTP API.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from monitor.core.db import Database
from tests.dashboards.fleet import Fleet, seed_fleet
from tests.processes import stop_processes

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "dashboards" / "prometheus" / "camwatch-rules.yml"
DASHBOARDS = sorted((ROOT / "dashboards" / "grafana" / "dashboards").glob("*.json"))
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
CAMERAS = 300

# Grafana's built-in interval variables, as Grafana would fill them for a 2 s scrape interval.
BUILTINS = {"$__rate_interval": "15s", "$__interval": "2s", "$__range": "1h"}

# Queries allowed to come back empty on this fleet, and why.
MAY_BE_EMPTY = {
    # Only tickets fixed while Prometheus watched count; none is fixed during the test.
    "camwatch-tickets/Mean repair time of tickets fixed in the period",
    # Healthy-service alerts: the database answers and the service is scraped.
    "alert/CamwatchCollectorDatabaseDown",
    "alert/CamwatchDown",
}


def _free_address() -> tuple[str, int]:
    """A loopback address of our own (parallel workers never collide) and a free port on it."""
    host = f"127.{random.randint(64, 250)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    with socket.socket() as sock:
        sock.bind((host, 0))
        return host, sock.getsockname()[1]


@dataclass
class Service:
    """The app serving /metrics on loopback."""

    url: str
    target: str
    fleet: Fleet


@pytest.fixture
def service(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Service]:
    """camwatch (no monitoring loop, runner-like instrument activity) in its own process over a
    migrated SQLite file holding a 300-camera fleet."""
    template = request.getfixturevalue("_sqlite_template")
    path = tmp_path / "camwatch.db"
    shutil.copy(template, path)
    db = Database(f"sqlite:///{path}")
    fleet = seed_fleet(db, CAMERAS, clusters=4, communes_per_cluster=3)
    db.dispose()
    host, port = _free_address()
    log = (tmp_path / "service.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.dashboards.serve_fleet", db.url, host, str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://{host}:{port}"
    try:
        _wait_until(lambda: httpx.get(f"{url}/healthz", timeout=1).status_code == 200, 60)
        yield Service(url=url, target=f"{host}:{port}", fleet=fleet)
    finally:
        stop_processes([proc])
        log.close()


@pytest.fixture
def prometheus(service: Service, tmp_path: Path) -> Iterator[str]:
    """A real Prometheus with the project's rules, scraping the service every 2 s.

    A scrape that times out makes every series stale at once, so the timeout is as long as the
    interval allows: the test machine is shared with other suites.
    """
    host, port = _free_address()
    config = {
        "global": {"scrape_interval": "2s", "scrape_timeout": "2s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": "camwatch", "static_configs": [{"targets": [service.target]}]}
        ],
    }
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config))
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address={host}:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://{host}:{port}"
    try:
        _wait_until(lambda: httpx.get(f"{url}/-/ready", timeout=1).status_code == 200, 60)
        yield url
    finally:
        stop_processes([proc])
        log.close()


def _wait_until(check: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (httpx.HTTPError, IndexError):  # not up yet, or no sample scraped yet
            pass
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


def query(prom: str, expr: str) -> list[dict[str, Any]]:
    """Evaluate an instant query; fail the test on any Prometheus error."""
    response = httpx.get(f"{prom}/api/v1/query", params={"query": expr}, timeout=10)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", (expr, body)
    return body["data"]["result"]


def fill(expr: str, variables: dict[str, str]) -> str:
    """Substitute Grafana variables ($name, ${name}) and built-ins in a query."""
    for name, value in BUILTINS.items():
        expr = expr.replace(name, value)
    for name, value in variables.items():
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    assert "$" not in expr, f"unfilled variable in {expr}"
    return expr


def variable_values(prom: str, definition: str, variables: dict[str, str]) -> list[str]:
    """Values of a `label_values(selector, label)` variable, as Grafana asks Prometheus."""
    match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", definition.strip())
    assert match, definition
    selector, label = fill(match.group(1), variables), match.group(2)
    response = httpx.get(
        f"{prom}/api/v1/label/{label}/values", params={"match[]": selector}, timeout=10
    )
    assert response.json()["status"] == "success", response.text
    return response.json()["data"]


def test_every_panel_variable_and_rule_evaluates_on_a_faulty_fleet(
    prometheus: str, service: Service
):
    fleet = service.fleet
    dead = fleet.dead_cluster
    # Wait for several scrapes (rates need two) and for the recording rules to run.
    _wait_until(
        lambda: query(prometheus, "count(camwatch_camera_info)")[0]["value"][1] == str(CAMERAS), 60
    )
    _wait_until(
        lambda: (
            len(query(prometheus, "area:camwatch_camera_availability:ratio")) == len(fleet.clusters)
        ),
        60,
    )
    _wait_until(
        lambda: (
            float(query(prometheus, "count_over_time(camwatch_collector_up[1m])")[0]["value"][1])
            >= 4
        ),
        60,
    )

    area = fleet.clusters[0]
    camera = next(
        code
        for code, state in fleet.states.items()
        if code.startswith(area + "-") and state == "degraded"
    )
    variables = {"area": area, "camera": camera}
    empty: set[str] = set()
    evaluated = 0
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        for var in dashboard["templating"]["list"]:
            values = variable_values(prometheus, var["definition"], variables)
            assert variables[var["name"]] in values, (path.name, var["name"], values)
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                result = query(prometheus, fill(target["expr"], variables))
                evaluated += 1
                if not result:
                    empty.add(f"{dashboard['uid']}/{panel['title']}")

    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            result = query(prometheus, rule["expr"])
            evaluated += 1
            name = rule.get("record") or rule["alert"]
            if not result:
                empty.add(f"{'record' if 'record' in rule else 'alert'}/{name}")
            if "record" in rule:
                assert query(prometheus, rule["record"]), f"{name} was never recorded"
    assert evaluated > 80
    assert empty <= MAY_BE_EMPTY, sorted(empty - MAY_BE_EMPTY)

    # Prometheus itself found every rule healthy.
    rule_state = httpx.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
    unhealthy = [
        (r["name"], r.get("lastError"))
        for g in rule_state
        for r in g["rules"]
        if r["health"] != "ok"
    ]
    assert not unhealthy

    # What the alerts and panels say matches the fleet a technician would see.
    availability = {
        r["metric"]["area"]: float(r["value"][1])
        for r in query(prometheus, "area:camwatch_camera_availability:ratio")
    }
    assert availability[dead] == 0.0
    judged = [fleet.count(s, area) for s in ("up", "degraded", "down")]
    assert availability[area] == pytest.approx((judged[0] + judged[1]) / sum(judged))
    low = _firing(prometheus, rules, "CamwatchAreaAvailabilityLow", "area")
    assert dead in low and area not in low
    assert _firing(prometheus, rules, "CamwatchAreaProbesFailing", "area") == {dead}
    down_long = _firing(prometheus, rules, "CamwatchCameraDownLong", "camera")
    assert down_long and down_long <= {c for c, s in fleet.states.items() if s == "down"}
    states = {
        r["metric"]["state"]: float(r["value"][1])
        for r in query(prometheus, "sum by (state) (camwatch_camera_state)")
    }
    assert states == {
        s: float(fleet.count(s)) for s in ("up", "degraded", "down", "unknown", "maintenance")
    }
    map_points = query(prometheus, _panel_expr("camwatch-map", "Cameras by state"))
    assert len(map_points) == CAMERAS
    colour = {p["metric"]["camera"]: p["value"][1] for p in map_points}
    assert colour[camera] == "1" and all(
        colour[c] == "2" for c, s in fleet.states.items() if s == "down"
    )
    assert all(p["metric"]["latitude"] and p["metric"]["longitude"] for p in map_points)


def _firing(prom: str, rules: dict[str, Any], alert: str, label: str) -> set[str]:
    """Values of `label` in the series an alert's expression returns now."""
    expr = next(r["expr"] for g in rules["groups"] for r in g["rules"] if r.get("alert") == alert)
    return {r["metric"][label] for r in query(prom, expr)}


def _panel_expr(uid: str, title: str) -> str:
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        if dashboard["uid"] == uid:
            return next(p["targets"][0]["expr"] for p in dashboard["panels"] if p["title"] == title)
    raise KeyError(uid)
