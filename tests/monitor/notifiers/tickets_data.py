"""Incident and ticket rows for notifier tests (made directly, not through the ticket workflow)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.db import Database
from monitor.core.models import (
    Camera,
    CameraStatus,
    Crew,
    Incident,
    IncidentKind,
    Notification,
    NotificationState,
    Ticket,
    TicketState,
)
from monitor.core.settings import Settings
from monitor.notifiers.outbox import enqueue_ticket_event
from tests.registry_data import Seed


def jpeg(value: int) -> bytes:
    """A small real JPEG thumbnail (a grey gradient) distinguishable by `value`."""
    picture = np.full((72, 128, 3), value, dtype=np.uint8)
    picture[:, :, 0] = np.linspace(0, 255, 128, dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", picture)
    assert ok
    return data.tobytes()


GOOD_JPEG = jpeg(200)
FAULT_JPEG = jpeg(10)


def set_crew_channels(db: Database, seed: Seed, *, webhook_url: str | None, email: str) -> None:
    """Give the Sơn Tịnh crew these channels."""
    with db.session() as s:
        crew = s.get(Crew, seed.crew_ids["st"])
        assert crew is not None
        crew.webhook_url = webhook_url
        crew.email = email


def make_ticket(
    session: Session,
    seed: Seed,
    *,
    camera_code: str = "ST-0001",
    reason: str = "no TCP answer on ports 80, 554",
    crew: bool = True,
    thumbnails: bool = True,
) -> Ticket:
    """An open incident and its assigned ticket for a camera (flushed, not committed)."""
    camera = session.scalars(select(Camera).where(Camera.code == camera_code)).one()
    if thumbnails and session.get(CameraStatus, camera.id) is None:
        session.add(
            CameraStatus(camera_id=camera.id, last_good_jpeg=GOOD_JPEG, last_fault_jpeg=FAULT_JPEG)
        )
    incident = Incident(
        kind=IncidentKind.CAMERA,
        camera_id=camera.id,
        area_id=camera.area_id,
        state="down",
        faults=["offline"],
        reason=reason,
    )
    session.add(incident)
    session.flush()
    ticket = Ticket(
        incident_id=incident.id,
        camera_id=camera.id,
        crew_id=seed.crew_ids["st"] if crew else None,
        state=TicketState.ASSIGNED,
        priority=1,
        fault="offline",
        title=f"{camera.code}: mất kết nối",
        due_at=datetime.now(UTC) + timedelta(hours=4),
    )
    session.add(ticket)
    session.flush()
    return ticket


def queue_ticket(
    db: Database, seed: Seed, settings: Settings, event: str = "ticket.opened", **kwargs: object
) -> tuple[int, list[int]]:
    """Commit a new ticket and its notifications; returns the ticket id and notification ids."""
    with db.session() as s:
        ticket = make_ticket(s, seed, **kwargs)
        queued = enqueue_ticket_event(s, ticket, event, settings)
        return ticket.id, [n.id for n in queued]


def notification(db: Database, notification_id: int) -> Notification:
    """The stored message, fresh from the database."""
    with db.session() as s:
        found = s.get(Notification, notification_id)
        assert found is not None
        s.expunge(found)
        return found


def dead_notification(db: Database) -> int:
    """A message already given up on (as after its last retry); returns its id."""
    with db.session() as s:
        dead = Notification(
            channel="webhook",
            target="http://127.0.0.1:9/hooks",
            event="ticket.opened",
            payload={"event": "ticket.opened"},
            state=NotificationState.DEAD,
            attempts=3,
            last_error="HTTP 503",
        )
        s.add(dead)
        s.flush()
        return dead.id
