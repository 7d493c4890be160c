"""The state collector on SQLite and PostgreSQL: what a technician sees at /metrics."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import event, select, update

from api.app import create_app
from monitor.core.db import Database
from monitor.core.instruments import DATABASE_ERRORS_TOTAL
from monitor.core.models.incidents import (
    Incident,
    IncidentKind,
    Notification,
    NotificationState,
    Ticket,
    TicketState,
)
from monitor.core.models.monitoring import CameraStatus, HealthState, ProbeSchedule
from monitor.core.models.registry import Area, Camera
from monitor.core.settings import Settings
from monitor.metrics.collector import CAMERA_VALUES, StateCollector
from monitor.registry.cameras import CameraRules
from tests.dashboards.fleet import FLEET_PASSWORD, FLEET_USERNAME, seed_fleet
from tests.registry_data import CAMERA_PASSWORD, seed_registry

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of an exposition, keyed by name and label set."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The value of the one sample with exactly these labels."""
    return samples[(name, frozenset(labels.items()))]


def named(samples: Samples, name: str) -> list[dict[str, str]]:
    """Label sets of every sample of one metric."""
    return [dict(labels) for (n, labels) in samples if n == name]


def scrape(db: Database) -> str:
    """What the /metrics route sends for the collector's part."""
    return StateCollector(db, clock=lambda: NOW).exposition().decode()


@pytest.fixture
def registry_db(database: Database, settings: Settings) -> Database:
    """The test registry (3 cameras) with a state for each: ST-0001 down, ST-0002 degraded."""
    seed_registry(database, CameraRules.from_settings(settings))
    with database.session() as s:
        ids = dict(s.execute(select(Camera.code, Camera.id)).all())
        s.execute(
            update(Camera)
            .where(Camera.code == "ST-0001")
            .values(
                vendor="Hikvision",
                model="DS-2CD1023G0",
                firmware="V5.5.0",
                rtsp_url=f"rtsp://admin:{CAMERA_PASSWORD}@127.0.0.1:8554/main",
            )
        )
        s.add_all(
            [
                CameraStatus(
                    camera_id=ids["ST-0001"],
                    state=HealthState.DOWN,
                    faults=["offline"],
                    since=NOW - timedelta(hours=3),
                    last_success_at=NOW - timedelta(hours=3, minutes=2),
                    metrics={"tcp_latency_seconds": 0.004},
                ),
                CameraStatus(
                    camera_id=ids["ST-0002"],
                    state=HealthState.DEGRADED,
                    faults=["blur", "clock_drift", "lens smeared, ask Mr Tâm"],
                    since=NOW - timedelta(minutes=20),
                    last_success_at=NOW - timedelta(seconds=40),
                    flapping=True,
                    metrics={
                        "onvif_latency_seconds": 0.031,
                        "clock_drift_seconds": -95.0,
                        "ttff_seconds": 0.82,
                        "rtsp_open_seconds": 0.21,
                        "frame_sharpness": 35.5,
                        "frame_brightness": 118.0,
                        "frame_noise": 2.5,
                        "reason_text": 1.0,
                    },
                ),
            ]
        )
        s.flush()
        incident = Incident(
            kind=IncidentKind.CAMERA,
            camera_id=ids["ST-0001"],
            state="down",
            started_at=NOW - timedelta(hours=3),
            faults=["offline"],
        )
        s.add(incident)
        s.flush()
        st = s.scalar(select(Area.id).where(Area.code == "ST"))
        s.add(
            Ticket(
                incident_id=incident.id,
                camera_id=ids["ST-0001"],
                area_id=st,
                state=TicketState.ASSIGNED,
                fault="offline",
                title="ST-0001 offline",
                opened_at=NOW - timedelta(hours=2),
                due_at=NOW - timedelta(minutes=30),
            )
        )
    return database


def test_a_down_camera_shows_its_state_fault_place_and_time_since_success(registry_db: Database):
    samples = parse(scrape(registry_db))
    cam = {"camera": "ST-0001", "area": "ST", "commune": "ST-TP"}
    assert value(samples, "camwatch_collector_up") == 1.0
    assert value(samples, "camwatch_camera_up", **cam) == 0.0
    assert value(samples, "camwatch_camera_state", **cam, state="down") == 1.0
    for other in ("up", "degraded", "unknown", "maintenance"):
        assert value(samples, "camwatch_camera_state", **cam, state=other) == 0.0
    assert value(samples, "camwatch_camera_fault", **cam, fault="offline") == 1.0
    assert value(samples, "camwatch_camera_seconds_since_last_success", **cam) == 3 * 3600 + 120
    assert value(samples, "camwatch_camera_state_duration_seconds", **cam) == 3 * 3600
    assert value(samples, "camwatch_camera_tcp_latency_seconds", **cam) == 0.004
    info = value(
        samples,
        "camwatch_camera_info",
        **cam,
        vendor="Hikvision",
        model="DS-2CD1023G0",
        firmware="V5.5.0",
        latitude="15.150000",
        longitude="108.780000",
    )
    assert info == 1.0


def test_a_degraded_camera_shows_picture_and_clock_values(registry_db: Database):
    samples = parse(scrape(registry_db))
    cam = {"camera": "ST-0002", "area": "ST", "commune": "ST-TP"}
    assert value(samples, "camwatch_camera_up", **cam) == 1.0
    assert value(samples, "camwatch_camera_state", **cam, state="degraded") == 1.0
    active = named(samples, "camwatch_camera_fault")
    faults = {d["fault"] for d in active if d["camera"] == "ST-0002"}
    assert faults == {"blur", "clock_drift"}
    assert value(samples, "camwatch_camera_clock_drift_seconds", **cam) == -95.0
    assert value(samples, "camwatch_camera_onvif_latency_seconds", **cam) == 0.031
    assert value(samples, "camwatch_camera_time_to_first_frame_seconds", **cam) == 0.82
    assert value(samples, "camwatch_camera_rtsp_latency_seconds", **cam) == 0.21
    assert value(samples, "camwatch_camera_frame_sharpness", **cam) == 35.5
    assert value(samples, "camwatch_camera_frame_brightness", **cam) == 118.0
    assert value(samples, "camwatch_camera_flapping", **cam) == 1.0
    assert value(samples, "camwatch_camera_seconds_since_last_success", **cam) == 40.0


def test_a_never_probed_camera_is_unknown_and_has_no_success_age(registry_db: Database):
    samples = parse(scrape(registry_db))
    cam = {"camera": "BS-0001", "area": "BS", "commune": "BS-BT"}
    assert value(samples, "camwatch_camera_state", **cam, state="unknown") == 1.0
    assert value(samples, "camwatch_camera_up", **cam) == 0.0
    assert ("camwatch_camera_seconds_since_last_success", frozenset(cam.items())) not in samples


def test_incidents_and_overdue_tickets_count_per_area(registry_db: Database):
    samples = parse(scrape(registry_db))
    assert value(samples, "camwatch_incidents_open", area="ST", kind="camera") == 1.0
    assert value(samples, "camwatch_incidents_open", area="BS", kind="camera") == 0.0
    assert value(samples, "camwatch_tickets", area="ST", state="assigned") == 1.0
    assert value(samples, "camwatch_tickets", area="ST", state="open") == 0.0
    assert value(samples, "camwatch_tickets_overdue", area="ST") == 1.0
    assert value(samples, "camwatch_tickets_overdue", area="BS") == 0.0


def test_no_credentials_anywhere_in_the_exposition(registry_db: Database):
    text = scrape(registry_db)
    assert CAMERA_PASSWORD not in text
    assert "admin:" not in text and "rtsp://" not in text
    assert "reason_text" not in text  # only the documented metric keys are exported


def test_fast_text_equals_client_python_rendering(database: Database):
    seed_fleet(database, 120, clusters=3, now=NOW)
    registry = CollectorRegistry()
    registry.register(StateCollector(database, clock=lambda: NOW))
    slow = parse(generate_latest(registry).decode())
    fast = parse(scrape(database))
    drop = ("camwatch_collector_duration_seconds",)
    assert {k: v for k, v in slow.items() if k[0] not in drop} == {
        k: v for k, v in fast.items() if k[0] not in drop
    }


def test_series_count_follows_the_documented_budget(database: Database):
    fleet = seed_fleet(database, 300, clusters=4, communes_per_cluster=3, now=NOW)
    samples = parse(scrape(database))
    cameras = len(fleet.states)
    ever_succeeded = sum(1 for s in fleet.states.values() if s != HealthState.UNKNOWN.value)
    active_faults = sum(len(f) for f in fleet.faults.values())
    with_values = sum(
        1 for s in fleet.states.values() if s in (HealthState.UP.value, HealthState.DEGRADED.value)
    )
    per_camera = cameras * 9 + ever_succeeded + active_faults + with_values * len(CAMERA_VALUES)
    areas = len(fleet.clusters)
    per_area = areas * (2 + 7 + 1 + 2)
    fixed = 2 + 2 + 3  # collector up/duration, due count and age of tcp (overdue), outbox
    assert len(samples) == per_camera + per_area + fixed
    camera_labels = {
        k
        for name, labels in samples
        for k, _ in labels
        if name.startswith("camwatch_camera_") and name != "camwatch_camera_info"
    }
    assert camera_labels == {"camera", "area", "commune", "state", "fault"}
    assert FLEET_PASSWORD not in str(samples) and FLEET_USERNAME not in str(samples)


@pytest.fixture(params=["tables missing", "server refuses"])
def broken_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A database every read fails on: an unmigrated SQLite file, or no PostgreSQL listening."""
    if request.param == "tables missing":
        db = Database(f"sqlite:///{tmp_path / 'not-migrated.db'}")
    else:
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        db = Database(f"postgresql+psycopg://camwatch:{FLEET_PASSWORD}@127.0.0.1:{port}/camwatch")
    yield db
    db.dispose()


def test_database_down_still_answers_with_collector_up_zero(broken_database: Database):
    before = DATABASE_ERRORS_TOTAL._value.get()
    text = StateCollector(broken_database).exposition().decode()
    samples = parse(text)
    assert value(samples, "camwatch_collector_up") == 0.0
    assert not named(samples, "camwatch_camera_up")
    assert DATABASE_ERRORS_TOTAL._value.get() == before + 1
    assert FLEET_PASSWORD not in text


def test_metrics_route_answers_200_when_the_database_fails(
    broken_database: Database, tmp_path, caplog: pytest.LogCaptureFixture
):
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=broken_database.url,
        secret_key="k" * 40,
        _env_file=None,
    )
    before = DATABASE_ERRORS_TOTAL._value.get()
    with TestClient(create_app(settings, broken_database)) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    samples = parse(response.text)
    assert value(samples, "camwatch_collector_up") == 0.0
    assert value(samples, "camwatch_database_errors_total") == before + 1  # this scrape's error
    assert FLEET_PASSWORD not in response.text and FLEET_PASSWORD not in caplog.text


def test_metrics_route_serves_instruments_and_state(registry_db: Database, settings: Settings):
    with TestClient(create_app(settings, registry_db)) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = parse(response.text)
    assert (
        value(
            samples,
            "camwatch_camera_state",
            camera="ST-0002",
            area="ST",
            commune="ST-TP",
            state="degraded",
        )
        == 1.0
    )
    assert "camwatch_database_errors_total" in response.text  # process-wide instruments too
    assert CAMERA_PASSWORD not in response.text


def test_overdue_probes_repair_times_and_dead_letters(registry_db: Database):
    with registry_db.session() as s:
        ids = dict(s.execute(select(Camera.code, Camera.id)).all())
        s.execute(update(Camera).where(Camera.code == "BS-0001").values(enabled=False))
        s.add_all(
            [
                ProbeSchedule(
                    camera_id=ids["ST-0001"], kind="onvif", next_due_at=NOW - timedelta(minutes=20)
                ),
                ProbeSchedule(
                    camera_id=ids["ST-0002"], kind="onvif", next_due_at=NOW - timedelta(minutes=2)
                ),
                ProbeSchedule(
                    camera_id=ids["ST-0002"], kind="tcp", next_due_at=NOW + timedelta(seconds=30)
                ),
                # A disabled camera is not probed: its stale row must not raise the lag alert.
                ProbeSchedule(
                    camera_id=ids["BS-0001"], kind="rtsp", next_due_at=NOW - timedelta(days=3)
                ),
                Notification(
                    channel="webhook",
                    target="https://crew.example/hook",
                    event="opened",
                    payload={},
                    state=NotificationState.DEAD,
                ),
            ]
        )
        ticket = s.scalars(select(Ticket)).one()
        ticket.state = TicketState.FIXED
        ticket.fixed_at = ticket.opened_at + timedelta(hours=5)
    samples = parse(scrape(registry_db))
    assert value(samples, "camwatch_schedule_due_probes", kind="onvif") == 2.0
    assert value(samples, "camwatch_schedule_oldest_due_seconds", kind="onvif") == 1200.0
    assert not [k for k in named(samples, "camwatch_schedule_due_probes") if k["kind"] != "onvif"]
    assert value(samples, "camwatch_ticket_repair_seconds_count", area="ST") == 1.0
    assert value(samples, "camwatch_ticket_repair_seconds_sum", area="ST") == 5 * 3600.0
    assert value(samples, "camwatch_tickets_overdue", area="ST") == 0.0  # fixed is not owed
    assert value(samples, "camwatch_notifications", state="dead") == 1.0
    assert "BS-0001" not in {d["camera"] for d in named(samples, "camwatch_camera_up")}


def test_metrics_token_keeps_strangers_out(registry_db: Database, settings: Settings):
    token = "scrape-token-" + "z" * 30
    guarded = settings.model_copy(update={"metrics_token": SecretStr(token)})
    with TestClient(create_app(guarded, registry_db)) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "ST-0001" not in wrong.text
        right = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert right.status_code == 200 and 'camera="ST-0001"' in right.text
    assert token not in right.text


def test_one_scrape_is_a_few_queries_whatever_the_fleet_size(database: Database):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    seed_fleet(database, 20, clusters=2, now=NOW)
    event.listen(database.engine, "before_cursor_execute", count)
    try:
        scrape(database)
        small = len(statements)
        with database.session() as s:  # ten times the cameras, same places
            area = s.scalar(select(Camera.area_id).limit(1))
            for i in range(200):
                camera = Camera(
                    code=f"MORE-{i:03d}", name="x", area_id=area, onvif_host="127.0.0.1"
                )
                s.add(camera)
                s.flush()
                s.add(
                    CameraStatus(
                        camera_id=camera.id,
                        state=HealthState.UP,
                        since=NOW,
                        faults=[],
                        metrics={"tcp_latency_seconds": 0.01},
                    )
                )
        statements.clear()
        text = scrape(database)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 7 and len(statements) == small
    assert text.count("camwatch_camera_up{") == 220
