"""The notification outbox: turn a ticket event into pending messages, inside the caller's
transaction (a rolled-back ticket sends nothing). Delivery is `monitor.notifiers.delivery`."""

from __future__ import annotations

import base64
import logging
import re
from typing import Any, TypeVar

from sqlalchemy.orm import Session, object_session

from monitor.core.models import (
    Area,
    Camera,
    CameraStatus,
    Crew,
    Incident,
    Notification,
    NotificationState,
    Ticket,
    utcnow,
)
from monitor.core.settings import Settings
from probes.faults import PICTURE_FAULTS, FaultCode
from probes.frame.judge import DECIDING

logger = logging.getLogger(__name__)
T = TypeVar("T")

EVENTS = frozenset(
    {
        "ticket.opened",
        "ticket.assigned",
        "ticket.state_changed",
        "ticket.reopened",
        "ticket.closed",
        "ticket.comment",
    }
)
WEBHOOK = "webhook"
EMAIL = "email"
# Thumbnails are small JPEGs; a bigger blob is not a thumbnail and stays out of the outbox.
MAX_ATTACHMENT_BYTES = 512 * 1024
THUMBNAILS = ("last_good", "last_fault")

# A probe reason should never hold credentials; strip any "scheme://user:pass@" anyway.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def scrub(text: str) -> str:
    """Remove user-info (user:password@) from any URL inside `text`."""
    return _URL_USERINFO.sub(r"\1", text)


def _area_names(area: Area | None) -> list[str]:
    names: list[str] = []
    while area is not None:
        names.append(area.name)
        area = area.parent
    return list(reversed(names))


def _camera_part(camera: Camera, base: str) -> dict[str, Any]:
    thumbs = f"{base}/api/v1/cameras/{camera.code}/thumbnails"
    host = camera.host
    return {
        "code": camera.code,
        "name": camera.name,
        "address": camera.address,
        "areas": _area_names(camera.area),
        "latitude": camera.latitude,
        "longitude": camera.longitude,
        "importance": camera.importance,
        "host": None
        if host is None
        else {"name": host.name, "contact_name": host.contact_name, "phone": host.contact_phone},
        "thumbnails": {name: f"{thumbs}/{name}.jpg" for name in THUMBNAILS},
    }


def _incident_part(incident: Incident | None) -> dict[str, Any] | None:
    if incident is None:
        return None
    part: dict[str, Any] = {
        "id": incident.id,
        "kind": str(incident.kind),
        "state": incident.state,
        "started_at": incident.started_at.isoformat() if incident.started_at else None,
        "faults": list(incident.faults or []),
        "reason": scrub(incident.reason or ""),
    }
    if incident.members:
        part["cameras"] = sorted(m.camera.code for m in incident.members if m.camera is not None)
    return part


def _related(ticket: Ticket, model: type[T], key: int | None, loaded: T | None) -> T | None:
    """The row a foreign key names; the key wins over a relationship that may be stale."""
    session = object_session(ticket)
    if key is None or session is None:
        return loaded
    return session.get(model, key)


def ticket_payload(
    ticket: Ticket, event: str, settings: Settings, *, comment: str = ""
) -> dict[str, Any]:
    """The JSON-able message about `event` on `ticket`; never holds a camera password."""
    if event not in EVENTS:
        raise ValueError(f"unknown ticket event {event!r}")
    base = settings.public_url.rstrip("/")
    crew = _related(ticket, Crew, ticket.crew_id, ticket.crew)
    camera = _related(ticket, Camera, ticket.camera_id, ticket.camera)
    incident = _related(ticket, Incident, ticket.incident_id, ticket.incident)
    return {
        "event": event,
        "sent_by": "camwatch",
        "ticket": {
            "id": ticket.id,
            "state": str(ticket.state),
            "priority": ticket.priority,
            "fault": ticket.fault,
            "title": ticket.title,
            "opened_at": ticket.opened_at.isoformat() if ticket.opened_at else None,
            "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
            "link": f"{base}/tickets/{ticket.id}",
        },
        "crew": None if crew is None else {"id": crew.id, "name": crew.name},
        "camera": None if camera is None else _camera_part(camera, base),
        "incident": _incident_part(incident),
        "comment": comment or None,
        "picture": None if camera is None else _picture_part(ticket, camera, base),
    }


def _picture_part(ticket: Ticket, camera: Camera, base: str) -> dict[str, Any] | None:
    """For a picture fault: the metric values that decided it and the side-by-side evidence."""
    session = object_session(ticket)
    status = session.get(CameraStatus, camera.id) if session is not None else None
    if status is None or ticket.fault not in {str(f) for f in PICTURE_FAULTS}:
        return None
    names = DECIDING.get(FaultCode(ticket.fault), ())
    metrics = status.metrics or {}
    return {
        "fault": ticket.fault,
        "metrics": {n: metrics[f"frame_{n}"] for n in names if f"frame_{n}" in metrics},
        "evidence": f"{base}/api/v1/cameras/{camera.code}/thumbnails/last_fault.jpg",
    }


def _attachments(session: Session, ticket: Ticket) -> list[dict[str, str]]:
    """The evidence thumbnails as of now (base64), so the email shows what the crew was told."""
    camera = session.get(Camera, ticket.camera_id) if ticket.camera_id is not None else None
    status = session.get(CameraStatus, ticket.camera_id) if camera is not None else None
    if camera is None or status is None:
        return []
    found = []
    for name in THUMBNAILS:
        data = getattr(status, f"{name}_jpeg")
        if data and len(data) <= MAX_ATTACHMENT_BYTES:
            found.append(
                {
                    "filename": f"{camera.code}-{name}.jpg",
                    "content_type": "image/jpeg",
                    "data_b64": base64.b64encode(data).decode("ascii"),
                }
            )
    return found


def enqueue_ticket_event(
    session: Session, ticket: Ticket, event: str, settings: Settings, *, comment: str = ""
) -> list[Notification]:
    """Queue one message per channel of the ticket's crew; sends nothing (see delivery)."""
    session.flush()  # the ticket needs its id (and its foreign keys) before the payload names them
    crew = _related(ticket, Crew, ticket.crew_id, ticket.crew)
    if crew is None:
        return []
    payload = ticket_payload(ticket, event, settings, comment=comment)
    now = utcnow()
    queued: list[Notification] = []
    if crew.webhook_url:
        queued.append(_new(ticket, WEBHOOK, crew.webhook_url, event, payload, now))
    if crew.email:
        email_payload = dict(payload, attachments=_attachments(session, ticket))
        queued.append(_new(ticket, EMAIL, crew.email, event, email_payload, now))
    session.add_all(queued)
    session.flush()
    logger.info(
        "ticket %s: queued %s for crew %s on %s",
        ticket.id,
        event,
        crew.id,
        ",".join(n.channel for n in queued) or "no channel",
    )
    return queued


def _new(
    ticket: Ticket, channel: str, target: str, event: str, payload: dict[str, Any], now: Any
) -> Notification:
    return Notification(
        ticket_id=ticket.id,
        channel=channel,
        target=target,
        event=event,
        payload=payload,
        state=NotificationState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
