"""The notification outbox for administrators: pending and dead-letter messages, retry."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import AdminActor, SessionDep
from monitor.core.errors import NotFound
from monitor.core.models import Notification, NotificationState
from monitor.core.paging import Page
from monitor.notifiers import admin
from monitor.notifiers.schemas import NotificationPublic

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.get("")
def list_notifications(
    session: SessionDep,
    actor: AdminActor,
    state: NotificationState | None = None,
    channel: str | None = None,
    ticket_id: int | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[NotificationPublic]:
    """Outbox messages, newest first (`state=dead` is the dead-letter list)."""
    rows, total = admin.list_notifications(
        session, state=state, channel=channel, ticket_id=ticket_id, limit=limit, offset=offset
    )
    items = [NotificationPublic.of(n) for n in rows]
    return Page[NotificationPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/{notification_id}")
def get_notification(
    notification_id: int, session: SessionDep, actor: AdminActor
) -> NotificationPublic:
    """One outbox message."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise NotFound(f"notification {notification_id} not found")
    return NotificationPublic.of(notification)


@router.post("/{notification_id}/retry")
def retry_notification(
    notification_id: int, session: SessionDep, actor: AdminActor
) -> NotificationPublic:
    """Queue a dead message again with a fresh retry schedule (409 unless it is dead)."""
    return NotificationPublic.of(admin.retry_dead(session, actor, notification_id))
