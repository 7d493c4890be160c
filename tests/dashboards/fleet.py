"""A simulated fleet written straight into the database: areas, cameras, states, outages, tickets.

Used by the collector tests, the Prometheus acceptance test and bench.metrics_scrape. Rows are bulk
inserted (10,000 cameras in a few seconds); the mix is deterministic for a given size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from monitor.core.db import Database
from monitor.core.models.incidents import (
    Incident,
    IncidentKind,
    Notification,
    NotificationState,
    Ticket,
    TicketState,
)
from monitor.core.models.monitoring import CameraStatus, HealthState, ProbeSchedule
from monitor.core.models.registry import Area, AreaLevel, Camera

# Would leak if the collector ever touched credentials; the tests look for these in the output.
FLEET_PASSWORD = "Fleet#Pw-7781"
FLEET_USERNAME = "fleetadmin"

DEGRADED_FAULTS = ("blur", "too_dark", "clock_drift", "covered", "noisy", "frozen")
DOWN_FAULTS = ("offline", "auth_failed", "stream_error")


@dataclass
class Fleet:
    """What was written, for assertions."""

    now: datetime
    clusters: list[str] = field(default_factory=list)
    communes: dict[str, str] = field(default_factory=dict)  # commune -> cluster
    states: dict[str, str] = field(default_factory=dict)  # camera -> state
    faults: dict[str, list[str]] = field(default_factory=dict)  # camera -> active faults
    dead_cluster: str = ""  # every camera down, nothing succeeded for hours

    def count(self, state: str, cluster: str | None = None) -> int:
        """Cameras in `state` (in one cluster, if given)."""
        return sum(
            1
            for code, s in self.states.items()
            if s == state and (cluster is None or code.startswith(cluster + "-"))
        )


def _state_for(i: int) -> str:
    """A realistic mix: 80 % up, 8 % degraded, 7 % down, 3 % never probed, 2 % maintenance."""
    slot = i % 100
    if slot < 80:
        return HealthState.UP.value
    if slot < 88:
        return HealthState.DEGRADED.value
    if slot < 95:
        return HealthState.DOWN.value
    if slot < 98:
        return HealthState.UNKNOWN.value
    return HealthState.MAINTENANCE.value


def seed_fleet(
    db: Database,
    cameras: int = 200,
    *,
    clusters: int = 4,
    communes_per_cluster: int = 3,
    now: datetime | None = None,
) -> Fleet:
    """Write a province with `cameras` cameras; the last cluster is entirely down."""
    now = now or datetime.now(UTC)
    fleet = Fleet(now=now)
    with db.session() as s:
        province = Area(code="QNG", name="Tỉnh Quảng Ngãi", level=AreaLevel.PROVINCE, path="/")
        s.add(province)
        s.flush()
        province.path = f"/{province.id}/"
        commune_ids: list[tuple[int, str, str]] = []
        for d in range(clusters):
            dcode = f"D{d + 1:02d}"
            cluster = Area(
                code=dcode,
                name=f"Cụm {d + 1}",
                level=AreaLevel.CLUSTER,
                kind="cluster",
                parent_id=province.id,
                path="",
            )
            s.add(cluster)
            s.flush()
            cluster.path = f"{province.path}{cluster.id}/"
            fleet.clusters.append(dcode)
            for c in range(communes_per_cluster):
                ccode = f"{dcode}-C{c + 1:02d}"
                commune = Area(
                    code=ccode,
                    name=f"Xã {c + 1}",
                    level=AreaLevel.COMMUNE,
                    parent_id=cluster.id,
                    path="",
                )
                s.add(commune)
                s.flush()
                commune.path = f"{cluster.path}{commune.id}/"
                commune_ids.append((commune.id, ccode, dcode))
                fleet.communes[ccode] = dcode
        fleet.dead_cluster = fleet.clusters[-1]

        camera_rows = []
        for i in range(cameras):
            area_id, ccode, dcode = commune_ids[i % len(commune_ids)]
            code = f"{dcode}-{i:05d}"
            camera_rows.append(
                {
                    "code": code,
                    "name": f"Camera {i}",
                    "address": f"Thôn {i % 17}",
                    "area_id": area_id,
                    "latitude": 15.0 + (i % 700) / 5000,
                    "longitude": 108.6 + (i % 500) / 5000,
                    "vendor": "Hikvision" if i % 2 else "Dahua",
                    "model": "DS-2CD1023G0" if i % 2 else "IPC-HFW1230S",
                    "firmware": f"V5.{i % 4}.0",
                    "onvif_host": f"127.{20 + i // 65536}.{i // 256 % 256}.{i % 256}",
                    "rtsp_url": f"rtsp://{FLEET_USERNAME}:{FLEET_PASSWORD}@127.0.0.1:554/Streaming/101",
                    "username": FLEET_USERNAME,
                    "password_encrypted": f"plain:{FLEET_PASSWORD}",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        s.execute(insert(Camera), camera_rows)
        ids = dict(s.execute(select(Camera.code, Camera.id)).all())
        cluster_ids = dict(
            s.execute(select(Area.code, Area.id).where(Area.level == AreaLevel.CLUSTER)).all()
        )

        status_rows, incident_rows, schedule_rows = [], [], []
        for i, row in enumerate(camera_rows):
            code = row["code"]
            dcode = code.split("-")[0]
            state = HealthState.DOWN.value if dcode == fleet.dead_cluster else _state_for(i)
            faults: list[str] = []
            metrics: dict[str, float] = {}
            last_success = now - timedelta(seconds=30 + i % 60)
            since = now - timedelta(hours=2 + i % 48)
            if state == HealthState.DEGRADED.value:
                faults = [DEGRADED_FAULTS[i % len(DEGRADED_FAULTS)]]
            elif state == HealthState.DOWN.value:
                faults = [DOWN_FAULTS[i % len(DOWN_FAULTS)]]
                last_success = now - timedelta(hours=3 + i % 20)
                since = last_success + timedelta(minutes=5)
            if state in (HealthState.UP.value, HealthState.DEGRADED.value):
                metrics = {
                    "tcp_latency_seconds": 0.002 + (i % 10) / 1000,
                    "tcp_latency_seconds_onvif": 0.003,
                    "onvif_latency_seconds": 0.02 + (i % 7) / 100,
                    "clock_drift_seconds": 95.0 if "clock_drift" in faults else (i % 5) - 2.0,
                    "rtsp_open_seconds": 0.3 + (i % 5) / 10,
                    "ttff_seconds": 0.7 + (i % 9) / 10,
                    "frame_sharpness": 40.0 if "blur" in faults else 400.0 + i % 300,
                    "frame_brightness": 12.0 if "too_dark" in faults else 110.0 + i % 40,
                    "frame_contrast": 45.0,
                    "frame_noise": 9.0 if "noisy" in faults else 2.5,
                    "frame_colourfulness": 20.0,
                }
            fleet.states[code] = state
            fleet.faults[code] = faults
            status_rows.append(
                {
                    "camera_id": ids[code],
                    "state": state,
                    "since": since,
                    "faults": faults,
                    "faults_by_kind": {},
                    "fault_since": {},
                    "consecutive_failures": 0,
                    "consecutive_successes": 0,
                    "flapping": i % 97 == 5,
                    "recent_transitions": [],
                    "metrics": metrics,
                    "identity": {},
                    "last_probe_at": None if state == HealthState.UNKNOWN.value else now,
                    "last_success_at": None if state == HealthState.UNKNOWN.value else last_success,
                }
            )
            if state == HealthState.DOWN.value:
                incident_rows.append(
                    {
                        "kind": IncidentKind.CAMERA,
                        "camera_id": ids[code],
                        "state": state,
                        "started_at": since,
                        "faults": faults,
                        "reason": "",
                        "in_maintenance": False,
                        "area_id": row["area_id"],
                    }
                )
            for kind, due in (
                ("tcp", now - timedelta(seconds=i % 50)),
                ("rtsp", now + timedelta(seconds=600 - i % 900)),
            ):
                schedule_rows.append({"camera_id": ids[code], "kind": kind, "next_due_at": due})
        s.execute(insert(CameraStatus), status_rows)
        s.execute(insert(ProbeSchedule), schedule_rows)
        if incident_rows:
            s.execute(insert(Incident), incident_rows)
        incidents = s.execute(
            select(Incident.id, Incident.camera_id, Incident.started_at, Incident.faults)
        ).all()
        cam_cluster = {ids[r["code"]]: cluster_ids[r["code"].split("-")[0]] for r in camera_rows}
        ticket_rows = []
        ticket_states = list(TicketState)
        for n, inc in enumerate(incidents):
            ticket_state = ticket_states[n % len(ticket_states)]
            fixed = ticket_state in (TicketState.FIXED, TicketState.VERIFIED, TicketState.CLOSED)
            ticket_rows.append(
                {
                    "incident_id": inc.id,
                    "camera_id": inc.camera_id,
                    "area_id": cam_cluster[inc.camera_id],
                    "state": ticket_state,
                    "priority": 1 + n % 4,
                    "fault": inc.faults[0],
                    "title": "Camera mất kết nối",
                    "opened_at": now - timedelta(hours=30),
                    "due_at": now - timedelta(hours=6 - n % 12),
                    "updated_at": now,
                    "fixed_at": now - timedelta(hours=2) if fixed else None,
                }
            )
        if ticket_rows:
            s.execute(insert(Ticket), ticket_rows)
        s.execute(
            insert(Notification),
            [
                {
                    "channel": "webhook",
                    "target": "https://crew.example/hook?token=abc",
                    "event": "ticket.opened",
                    "payload": {},
                    "state": st,
                    "attempts": 1,
                    "next_attempt_at": now,
                    "last_error": "",
                    "created_at": now,
                }
                for st in (NotificationState.SENT, NotificationState.SENT, NotificationState.DEAD)
            ],
        )
    return fleet
