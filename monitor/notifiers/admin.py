"""Admin view of the outbox: list pending and dead messages, send a dead one again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import Conflict, NotFound
from monitor.core.models import Notification, NotificationState, utcnow
from monitor.core.paging import paginate
from monitor.notifiers.outbox import scrub


def list_notifications(
    session: Session,
    *,
    state: NotificationState | None = None,
    channel: str | None = None,
    ticket_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Notification], int]:
    """Outbox messages, newest first, filtered by state, channel and ticket."""
    stmt = select(Notification).order_by(Notification.id.desc())
    if state is not None:
        stmt = stmt.where(Notification.state == state)
    if channel is not None:
        stmt = stmt.where(Notification.channel == channel)
    if ticket_id is not None:
        stmt = stmt.where(Notification.ticket_id == ticket_id)
    return paginate(session, stmt, limit, offset)


def public_target(target: str) -> str:
    """The target as shown to admins: a webhook URL without user-info or query string."""
    return scrub(target).split("?", 1)[0]


def retry_dead(
    session: Session, actor: Actor, notification_id: int, *, now: datetime | None = None
) -> Notification:
    """Put a dead message back in the queue with a fresh retry schedule (audited)."""
    notification = session.get(Notification, notification_id, with_for_update=True)
    if notification is None:
        raise NotFound(f"notification {notification_id} not found")
    if notification.state != NotificationState.DEAD:
        raise Conflict(f"notification {notification_id} is {notification.state}, not dead")
    notification.state = NotificationState.PENDING
    notification.attempts = 0
    notification.next_attempt_at = now or utcnow()
    session.flush()
    audit.record(session, actor, "notification.retry", "notification", notification_id)
    return notification
