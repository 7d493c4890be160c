"""A camera's current state (REST): state, since when, active faults, last probes, open work."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CurrentActor, SessionDep
from monitor.core.models import HealthState, TicketState
from monitor.reports.camera_state import camera_state

router = APIRouter(prefix="/api/v1/cameras", tags=["cameras"])


class ActiveFault(BaseModel):
    code: str
    since: datetime | None


class LastProbe(BaseModel):
    at: datetime
    ok: bool
    faults: list[str]
    duration_seconds: float
    metrics: dict[str, float]


class OpenIncident(BaseModel):
    id: int
    state: str
    started_at: datetime
    faults: list[str]
    in_maintenance: bool


class OpenTicket(BaseModel):
    id: int
    state: TicketState
    fault: str
    priority: int
    crew_id: int | None
    opened_at: datetime
    due_at: datetime


class CameraStatePublic(BaseModel):
    """A camera's health now; times are ISO 8601 with their offset."""

    code: str
    state: HealthState
    since: datetime | None
    flapping: bool
    faults: list[ActiveFault]
    metrics: dict[str, float]
    last_probe_at: datetime | None
    last_success_at: datetime | None
    last_probes: dict[str, LastProbe]
    open_incident: OpenIncident | None
    open_ticket: OpenTicket | None


@router.get("/{code}/state")
def get_camera_state(code: str, session: SessionDep, actor: CurrentActor) -> CameraStatePublic:
    """The camera's state, since when, active faults with metrics, last probe of each kind,
    and its open incident and ticket."""
    return CameraStatePublic.model_validate(asdict(camera_state(session, actor, code)))
