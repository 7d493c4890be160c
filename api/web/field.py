"""What a crew needs on a ticket in the field: the pictures, the on-site contact, the place."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.web import page_strings  # noqa: F401  (registers the page strings)
from monitor.core.access import Actor
from monitor.core.models import CameraStatus, ReferenceView, Ticket

_DIAL = re.compile(r"[^0-9+]")


def dial_number(phone: str) -> str:
    """A phone number as a tel: link wants it (digits and a leading +)."""
    return _DIAL.sub("", phone or "")


def field_context(session: Session, actor: Actor, ticket: Ticket) -> dict[str, Any]:
    """Template values for the ticket's field section (pictures, contact, map links)."""
    camera = ticket.camera
    if camera is None:
        return {"field": None}
    fault = session.execute(
        select(CameraStatus.last_fault_at).where(
            CameraStatus.camera_id == camera.id, CameraStatus.last_fault_jpeg.is_not(None)
        )
    ).first()
    has_reference = (
        session.scalar(select(ReferenceView.camera_id).where(ReferenceView.camera_id == camera.id))
        is not None
    )
    host = camera.host
    contact = None
    if host is not None and host.contact_phone and actor.sees_area(host.area):
        contact = {
            "name": host.contact_name or host.name,
            "host": host.name,
            "phone": host.contact_phone,
            "dial": dial_number(host.contact_phone),
        }
    located = camera.latitude is not None and camera.longitude is not None
    return {
        "field": {
            "code": camera.code,
            "fault_at": fault[0] if fault else None,
            "has_fault_picture": fault is not None,
            "has_reference": has_reference,
            "contact": contact,
            "lat": camera.latitude if located else None,
            "lon": camera.longitude if located else None,
        }
    }
