"""Public (API) shapes of fault tickets, and the bodies that change them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from monitor.core.models import Ticket, TicketState


class TicketEventPublic(BaseModel):
    """One line of a ticket's history."""

    model_config = ConfigDict(from_attributes=True)
    at: datetime
    username: str
    action: str
    from_state: str | None
    to_state: str | None
    comment: str


class TicketPublic(BaseModel):
    """A ticket as listings show it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    incident_id: int
    camera_code: str | None
    crew_id: int | None
    state: TicketState
    priority: int
    fault: str
    title: str
    opened_at: datetime
    due_at: datetime
    fixed_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, ticket: Ticket) -> TicketPublic:
        """The public view of a stored ticket."""
        return cls.model_validate(
            {
                **{k: getattr(ticket, k) for k in cls.model_fields if k != "camera_code"},
                "camera_code": ticket.camera.code if ticket.camera else None,
            }
        )


class TicketDetail(TicketPublic):
    """A ticket with its history and its incident's facts."""

    events: list[TicketEventPublic]
    incident_faults: list[str]
    incident_started_at: datetime
    incident_ended_at: datetime | None

    @classmethod
    def of(cls, ticket: Ticket) -> TicketDetail:
        """The detailed public view of a stored ticket (loads its events and incident)."""
        return cls(
            **TicketPublic.of(ticket).model_dump(),
            events=[TicketEventPublic.model_validate(e) for e in ticket.events],
            incident_faults=list(ticket.incident.faults or []),
            incident_started_at=ticket.incident.started_at,
            incident_ended_at=ticket.incident.ended_at,
        )


class TicketStateChange(BaseModel):
    """Body of a state change: the new state, why, and the crew when assigning."""

    model_config = ConfigDict(extra="forbid")
    state: TicketState
    comment: str = Field(default="", max_length=2000)
    crew_id: int | None = None


class TicketCommentCreate(BaseModel):
    """Body of a new comment."""

    model_config = ConfigDict(extra="forbid")
    comment: str = Field(min_length=1, max_length=2000)
