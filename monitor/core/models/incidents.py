"""Outages (incidents), their grouping, fault tickets, and the notification outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.core.models.base import Base, str_enum, utcnow
from monitor.core.models.registry import Area, Camera, Crew


class IncidentKind(enum.StrEnum):
    """A single camera's episode, or a group of cameras down together."""

    CAMERA = "camera"
    GROUP = "group"


class Incident(Base):
    """One episode of a camera (or group) being down or degraded; open while ended_at is null."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind))
    camera_id: Mapped[int | None] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), index=True
    )
    # For a group: what they share ("upstream:<device>" or "commune:<area code>").
    group_key: Mapped[str | None] = mapped_column(String(200))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    # The area's path when the outage began: after a merger the outage still names (and filters
    # by) the commune and cluster it happened in.
    area_path: Mapped[str] = mapped_column(String(400), default="", index=True)
    state: Mapped[str] = mapped_column(String(16))  # the worst state seen: down or degraded
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(index=True)
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    in_maintenance: Mapped[bool] = mapped_column(default=False)

    camera: Mapped[Camera | None] = relationship()
    area: Mapped[Area | None] = relationship()
    members: Mapped[list[Incident]] = relationship(foreign_keys=[group_id])

    __table_args__ = (Index("ix_incidents_open", "ended_at", "kind"),)


@event.listens_for(Incident, "before_insert")
def _remember_area_path(_mapper, connection, incident: Incident) -> None:  # type: ignore[no-untyped-def]
    # Every way an outage is written keeps where it happened, whatever moves later.
    if incident.area_id is None and incident.camera_id is not None:
        incident.area_id = connection.scalar(
            select(Camera.area_id).where(Camera.id == incident.camera_id)
        )
    if not incident.area_path and incident.area_id is not None:
        path = connection.scalar(select(Area.path).where(Area.id == incident.area_id))
        incident.area_path = path or ""


class TicketState(enum.StrEnum):
    """Lifecycle of a fault ticket."""

    OPEN = "open"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    VERIFIED = "verified"
    CLOSED = "closed"
    REOPENED = "reopened"


class Ticket(Base):
    """A repair job for one incident; the unique incident id keeps it single across restarts."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("cameras.id", ondelete="SET NULL"))
    crew_id: Mapped[int | None] = mapped_column(
        ForeignKey("crews.id", ondelete="SET NULL"), index=True
    )
    # The camera's (or group's) area when the ticket was opened.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    state: Mapped[TicketState] = mapped_column(str_enum(TicketState), index=True)
    priority: Mapped[int] = mapped_column(default=3)  # 1 urgent .. 4 low
    fault: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    fixed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    incident: Mapped[Incident] = relationship()
    camera: Mapped[Camera | None] = relationship()
    crew: Mapped[Crew | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )


class TicketEvent(Base):
    """A change or comment on a ticket: who, when, what."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(32))  # created, state, comment, assigned
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class NotificationState(enum.StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up after the last retry: shown to admins as the dead-letter list


class Notification(Base):
    """A message to a crew (webhook or email), delivered with retries from this outbox."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))  # webhook | email
    target: Mapped[str] = mapped_column(String(1000))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[NotificationState] = mapped_column(
        str_enum(NotificationState), default=NotificationState.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
