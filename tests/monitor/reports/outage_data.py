"""Outages, tickets and roll-ups on top of the test registry, at fixed times in October 2026.

Places: ST-0001 and ST-0002 (Sơn Tịnh, commune Tịnh Phong) are 222 m apart; BS-0001 (Bình Sơn)
is about 6 km away. Every camera is registered on 2026-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
from sqlalchemy import select

from monitor.core.db import Database
from monitor.core.models import (
    Area,
    Camera,
    CameraStatus,
    HealthState,
    HourlyRollup,
    Incident,
    IncidentKind,
    StateChange,
    Ticket,
    TicketEvent,
    TicketState,
)

NOW = datetime(2026, 11, 1, tzinfo=UTC)
REGISTERED = datetime(2026, 1, 1, tzinfo=UTC)
PLACES = {
    "ST-0001": (15.1500, 108.7800),
    "ST-0002": (15.1520, 108.7800),
    "BS-0001": (15.2000, 108.8300),
}
# A small real JPEG (grey 32x24), enough for the thumbnail routes.
JPEG = cv2.imencode(".jpg", np.full((24, 32, 3), 128, np.uint8))[1].tobytes()


@dataclass
class OutageSeed:
    """Ids of what was created."""

    incidents: dict[str, int] = field(default_factory=dict)
    tickets: dict[str, int] = field(default_factory=dict)


def at(day: int, hour: int = 0, month: int = 10) -> datetime:
    """A time in 2026 (UTC)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def seed_outages(db: Database, crew_id: int) -> OutageSeed:
    """Four outages (one a group of two), three tickets, status, history and roll-ups."""
    out = OutageSeed()
    with db.session() as s:
        cams = {c.code: c for c in s.scalars(select(Camera))}
        for code, (lat, lon) in PLACES.items():
            cams[code].latitude, cams[code].longitude = lat, lon
            cams[code].created_at = REGISTERED
        commune = s.scalar(select(Area).where(Area.code == "ST-TP"))
        st = s.scalar(select(Area).where(Area.code == "ST"))
        bs = s.scalar(select(Area).where(Area.code == "BS"))

        def incident(
            key: str,
            code: str | None,
            state: str,
            start: datetime,
            end: datetime | None,
            faults: list[str],
            **extra: object,
        ) -> Incident:
            row = Incident(
                kind=IncidentKind.CAMERA if code else IncidentKind.GROUP,
                camera_id=cams[code].id if code else None,
                state=state,
                started_at=start,
                ended_at=end,
                faults=faults,
                **extra,
            )
            s.add(row)
            s.flush()
            out.incidents[key] = row.id
            return row

        first = incident("st1_offline", "ST-0001", "down", at(1, 8), at(1, 12), ["offline"])
        incident("st2_blur", "ST-0002", "degraded", at(5), at(6), ["blur"])
        bs1 = incident("bs1_stream", "BS-0001", "down", at(10, 10), None, ["stream_error"])
        group = incident(
            "group",
            None,
            "down",
            at(20, 6),
            at(20, 7),
            ["offline"],
            group_key="commune:ST-TP",
            area_id=commune.id,
        )
        for code in ("ST-0001", "ST-0002"):
            incident(
                f"member_{code}", code, "down", at(20, 6), at(20, 7), ["offline"], group_id=group.id
            )

        def ticket(
            key: str,
            inc: Incident,
            state: TicketState,
            area: Area,
            crew: int | None,
            opened: datetime,
            fixed: datetime | None = None,
            closed: datetime | None = None,
        ) -> None:
            row = Ticket(
                incident_id=inc.id,
                camera_id=inc.camera_id,
                crew_id=crew,
                area_id=area.id,
                state=state,
                priority=2,
                fault=(inc.faults or ["offline"])[0],
                title=f"Sự cố {key}",
                opened_at=opened,
                due_at=opened + timedelta(hours=24),
                fixed_at=fixed,
                closed_at=closed,
            )
            s.add(row)
            s.flush()
            s.add(
                TicketEvent(
                    ticket_id=row.id,
                    at=opened,
                    username="camwatch",
                    action="created",
                    to_state=state.value,
                )
            )
            out.tickets[key] = row.id

        ticket("st1", first, TicketState.CLOSED, st, crew_id, at(1, 8), at(1, 11), at(1, 12))
        ticket("bs1", bs1, TicketState.OPEN, bs, None, at(10, 11))
        ticket("group", group, TicketState.ASSIGNED, st, crew_id, at(20, 6))

        s.add(
            CameraStatus(
                camera_id=cams["BS-0001"].id,
                state=HealthState.DOWN,
                since=at(10, 10),
                faults=["stream_error"],
                last_fault_jpeg=JPEG,
                last_fault_at=at(10, 10),
                last_good_jpeg=JPEG,
                last_good_at=at(10, 9),
            )
        )
        s.add(
            CameraStatus(
                camera_id=cams["ST-0001"].id,
                state=HealthState.UP,
                since=at(20, 7),
                last_good_jpeg=JPEG,
                last_good_at=at(31, 23),
            )
        )
        s.add(
            StateChange(
                camera_id=cams["ST-0001"].id,
                at=at(1, 8),
                from_state=HealthState.UP,
                to_state=HealthState.DOWN,
                faults=["offline"],
                reason="no TCP answer",
            )
        )
        s.add(
            StateChange(
                camera_id=cams["ST-0001"].id,
                at=at(1, 12),
                from_state=HealthState.DOWN,
                to_state=HealthState.UP,
            )
        )
        for hour in range(24):
            when = at(1) + timedelta(hours=hour)
            ok = 0 if 8 <= hour < 12 else 12
            s.add(
                HourlyRollup(
                    camera_id=cams["ST-0001"].id,
                    hour=when,
                    probes=12,
                    successes=ok,
                    availability=ok / 12,
                )
            )
    return out
