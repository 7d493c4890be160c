"""One camera's current state as the API reports it: faults, metrics, last probes, open work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.core.models import (
    CameraStatus,
    HealthState,
    Incident,
    IncidentKind,
    ProbeRecord,
    Ticket,
    TicketState,
    as_utc,
)
from monitor.registry.cameras import get_camera


@dataclass(slots=True)
class CameraState:
    """What is known right now about one camera (no pictures, no secrets)."""

    code: str
    state: str
    since: datetime | None
    flapping: bool
    faults: list[dict[str, Any]]
    metrics: dict[str, float]
    last_probe_at: datetime | None
    last_success_at: datetime | None
    last_probes: dict[str, dict[str, Any]] = field(default_factory=dict)
    open_incident: dict[str, Any] | None = None
    open_ticket: dict[str, Any] | None = None


def _fault_since(status: CameraStatus, code: str) -> datetime | None:
    text = (status.fault_since or {}).get(code)
    if not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def camera_state(session: Session, actor: Actor, code: str) -> CameraState:
    """The camera's state if the actor may see it (NotFound otherwise)."""
    camera = get_camera(session, actor, code)
    status = session.get(CameraStatus, camera.id)
    if status is None:
        state = CameraState(
            code=camera.code,
            state=HealthState.UNKNOWN.value,
            since=None,
            flapping=False,
            faults=[],
            metrics={},
            last_probe_at=None,
            last_success_at=None,
        )
    else:
        state = CameraState(
            code=camera.code,
            state=status.state.value,
            since=as_utc(status.since),
            flapping=status.flapping,
            faults=[{"code": f, "since": _fault_since(status, f)} for f in status.faults or ()],
            metrics=dict(status.metrics or {}),
            last_probe_at=as_utc(status.last_probe_at),
            last_success_at=as_utc(status.last_success_at),
        )
    latest = (
        select(func.max(ProbeRecord.id))
        .where(ProbeRecord.camera_id == camera.id)
        .group_by(ProbeRecord.kind)
    )
    for record in session.scalars(select(ProbeRecord).where(ProbeRecord.id.in_(latest))):
        state.last_probes[record.kind] = {
            "at": as_utc(record.at),
            "ok": record.ok,
            "faults": list(record.faults or ()),
            "duration_seconds": record.duration_seconds,
            "metrics": dict(record.metrics or {}),
        }
    incident = session.scalar(
        select(Incident)
        .where(
            Incident.camera_id == camera.id,
            Incident.kind == IncidentKind.CAMERA,
            Incident.ended_at.is_(None),
        )
        .order_by(Incident.started_at.desc())
        .limit(1)
    )
    if incident is not None:
        state.open_incident = {
            "id": incident.id,
            "state": incident.state,
            "started_at": as_utc(incident.started_at),
            "faults": list(incident.faults or ()),
            "in_maintenance": incident.in_maintenance,
        }
    ticket = session.scalar(
        select(Ticket)
        .where(Ticket.camera_id == camera.id, Ticket.state != TicketState.CLOSED)
        .order_by(Ticket.opened_at.desc())
        .limit(1)
    )
    if ticket is not None:
        state.open_ticket = {
            "id": ticket.id,
            "state": ticket.state.value,
            "fault": ticket.fault,
            "priority": ticket.priority,
            "crew_id": ticket.crew_id,
            "opened_at": as_utc(ticket.opened_at),
            "due_at": as_utc(ticket.due_at),
        }
    return state
