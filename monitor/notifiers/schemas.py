"""What admins see of an outbox message (no attachments, no credentials in the target)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from monitor.core.models import Notification, NotificationState
from monitor.notifiers.admin import public_target


class NotificationPublic(BaseModel):
    """An outbox message as listed in the admin API."""

    id: int
    ticket_id: int | None
    channel: str
    target: str
    event: str
    state: NotificationState
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    attachments: int
    payload: dict[str, Any]

    @classmethod
    def of(cls, n: Notification) -> NotificationPublic:
        """The public view of a stored message."""
        payload = dict(n.payload or {})
        attachments = payload.pop("attachments", None) or []
        return cls(
            id=n.id,
            ticket_id=n.ticket_id,
            channel=n.channel,
            target=public_target(n.target),
            event=n.event,
            state=n.state,
            attempts=n.attempts,
            next_attempt_at=n.next_attempt_at,
            last_error=n.last_error,
            created_at=n.created_at,
            sent_at=n.sent_at,
            attachments=len(attachments),
            payload=payload,
        )
