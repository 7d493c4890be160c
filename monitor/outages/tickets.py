"""Fault tickets: opened for incidents, assigned to the covering crew, repaired, verified."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from monitor.core import i18n
from monitor.core.access import Actor
from monitor.core.errors import InvalidData, NotFound, PermissionDenied
from monitor.core.fault_labels import fault_label
from monitor.core.i18n import t
from monitor.core.models import (
    Area,
    Camera,
    Crew,
    Incident,
    IncidentKind,
    Role,
    Ticket,
    TicketEvent,
    TicketState,
    as_utc,
    crew_areas,
    utcnow,
)
from monitor.core.paging import paginate
from monitor.core.settings import Settings
from monitor.registry.areas import path_ids
from probes.faults import DOWN_FAULTS, FaultCode

# Texts stored in a ticket's history, in the service's language (CAMWATCH_LANGUAGE).
i18n.add_strings(
    {
        "ticket.history.merged": {
            "vi": "gộp vào sự cố nhóm #{group}",
            "en": "merged into group incident #{group}",
        },
        "ticket.history.verified": {
            "vi": "kiểm tra lại: camera đã hoạt động tốt",
            "en": "probes find the camera healthy",
        },
        "ticket.history.still_failing": {
            "vi": "kiểm tra lại: camera vẫn còn lỗi",
            "en": "probes still find the fault",
        },
        "incident.group_reason": {
            "vi": "{count} camera cùng mất kết nối",
            "en": "{count} cameras lost together",
        },
    }
)

logger = logging.getLogger(__name__)

SYSTEM = "camwatch"

# Which state may follow which; VERIFIED and the automatic REOPENED come from the probes.
TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    TicketState.OPEN: frozenset(
        {TicketState.ASSIGNED, TicketState.IN_PROGRESS, TicketState.FIXED, TicketState.CLOSED}
    ),
    TicketState.ASSIGNED: frozenset(
        {TicketState.IN_PROGRESS, TicketState.FIXED, TicketState.CLOSED}
    ),
    TicketState.IN_PROGRESS: frozenset({TicketState.FIXED, TicketState.CLOSED}),
    TicketState.FIXED: frozenset({TicketState.VERIFIED, TicketState.REOPENED, TicketState.CLOSED}),
    TicketState.VERIFIED: frozenset({TicketState.CLOSED, TicketState.REOPENED}),
    TicketState.REOPENED: frozenset(
        {TicketState.IN_PROGRESS, TicketState.FIXED, TicketState.CLOSED}
    ),
    # Only when the same incident comes back (a repair that did not last).
    TicketState.CLOSED: frozenset({TicketState.REOPENED}),
}
# What people may set by hand, per role (the rest is the service's job).
ROLE_TARGETS: dict[Role, frozenset[TicketState]] = {
    Role.CREW: frozenset({TicketState.IN_PROGRESS, TicketState.FIXED}),
    Role.TECHNICIAN: frozenset(
        {
            TicketState.ASSIGNED,
            TicketState.IN_PROGRESS,
            TicketState.FIXED,
            TicketState.CLOSED,
            TicketState.REOPENED,
        }
    ),
    Role.ADMIN: frozenset(
        {
            TicketState.ASSIGNED,
            TicketState.IN_PROGRESS,
            TicketState.FIXED,
            TicketState.CLOSED,
            TicketState.REOPENED,
        }
    ),
    Role.POLICE: frozenset(),
}
OPEN_STATES = frozenset(set(TicketState) - {TicketState.CLOSED})
DUE_AFTER = {
    1: timedelta(hours=4),
    2: timedelta(hours=24),
    3: timedelta(hours=72),
    4: timedelta(days=7),
}
# Faults that stop evidence from being recorded at all are urgent; cosmetic ones can wait.
SERIOUS_FAULTS = DOWN_FAULTS | {
    FaultCode.COVERED,
    FaultCode.NO_SIGNAL,
    FaultCode.SCENE_CHANGED,
    FaultCode.STORAGE_FAILURE,
    FaultCode.FROZEN,
}
MINOR_FAULTS = {
    FaultCode.CLOCK_DRIFT,
    FaultCode.RESOLUTION_MISMATCH,
    FaultCode.REBOOTED,
    FaultCode.DEVICE_REPLACED,
    FaultCode.ONVIF_ERROR,
}


def priority_for(faults: list[str], importance: int, *, group: bool = False) -> int:
    """1 (urgent) .. 4 (low), from the worst fault and how much the place matters."""
    codes = {FaultCode(f) for f in faults if f in FaultCode._value2member_map_}
    if codes & SERIOUS_FAULTS:
        base = 2
    elif codes and codes <= MINOR_FAULTS:
        base = 4
    else:
        base = 3
    if importance >= 4 or group:
        base -= 1
    elif importance <= 1:
        base += 1
    return max(1, min(4, base))


def main_fault(faults: list[str]) -> str:
    """The fault a ticket is named after: the most serious one seen."""
    order = [str(f) for f in FaultCode]
    ranked = sorted(
        faults,
        key=lambda f: (
            f not in {str(x) for x in SERIOUS_FAULTS},
            order.index(f) if f in order else 99,
        ),
    )
    return ranked[0] if ranked else str(FaultCode.OFFLINE)


def crew_for_area(session: Session, area: Area | None) -> Crew | None:
    """The crew whose areas cover `area`; the most specific wins (a commune's crew before its
    cluster's), then the first registered. None: the province's technicians handle it."""
    if area is None:
        return None
    ids = path_ids(area.path)
    rows = session.execute(
        select(crew_areas.c.area_id, Crew)
        .join(Crew, crew_areas.c.crew_id == Crew.id)
        .where(crew_areas.c.area_id.in_(ids))
    ).all()
    if not rows:
        return None
    depth = {area_id: i for i, area_id in enumerate(ids)}
    return min(rows, key=lambda r: (-depth[r[0]], r[1].id))[1]


def open_ticket(session: Session, incident: Incident, settings: Settings) -> Ticket:
    """The ticket of an incident, opened and assigned if it has none (never a second one)."""
    existing = session.scalar(select(Ticket).where(Ticket.incident_id == incident.id))
    if existing is not None:
        return existing
    camera = incident.camera
    area = incident.area or (camera.area if camera else None)
    members = len(incident.members) if incident.kind == IncidentKind.GROUP else 0
    importance = camera.importance if camera else 3
    priority = priority_for(incident.faults, importance, group=incident.kind == IncidentKind.GROUP)
    fault = main_fault(incident.faults)
    label = fault_label(fault, settings.language)
    if camera is not None:
        title = f"{label} – {camera.code} {camera.name}"
    else:
        title = f"{label} – {members} camera ({incident.group_key})"
    now = utcnow()
    ticket = Ticket(
        incident=incident,
        camera=camera,
        area_id=area.id if area else None,
        state=TicketState.OPEN,
        priority=priority,
        fault=fault,
        title=title[:300],
        opened_at=now,
        due_at=now + DUE_AFTER[priority],
    )
    try:
        with session.begin_nested():
            session.add(ticket)
            session.flush()
    except IntegrityError:
        # Another scheduler opened it a moment ago: the unique incident id keeps one ticket.
        return session.scalars(select(Ticket).where(Ticket.incident_id == incident.id)).one()
    _event(session, ticket, SYSTEM, "created", None, TicketState.OPEN)
    _notify(session, ticket, "ticket.opened", settings)
    crew = crew_for_area(session, area)
    if crew is not None:
        ticket.crew = crew
        _move(session, ticket, TicketState.ASSIGNED, SYSTEM, f"→ {crew.name}")
        _notify(session, ticket, "ticket.assigned", settings)
    else:
        # Never dropped: it stays open, unassigned, in the technicians' list with the reason.
        _event(
            session, ticket, SYSTEM, "comment", None, None, t("tickets.no_crew", settings.language)
        )
        logger.warning(
            "%s ticket %s: no crew covers area %s, left to the province's technicians",
            camera.code if camera else incident.group_key,
            ticket.id,
            area.code if area else "-",
        )
    logger.info(
        "%s ticket %s opened (priority %s)",
        camera.code if camera else incident.group_key,
        ticket.id,
        priority,
    )
    return ticket


def _event(
    session: Session,
    ticket: Ticket,
    username: str,
    action: str,
    from_state: TicketState | None,
    to_state: TicketState | None,
    comment: str = "",
) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        username=username,
        action=action,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value if to_state else None,
        comment=comment,
    )
    session.add(event)
    return event


def _move(session: Session, ticket: Ticket, to: TicketState, username: str, comment: str) -> None:
    if to not in TRANSITIONS[ticket.state]:
        raise InvalidData(f"a ticket that is {ticket.state.value} cannot become {to.value}")
    before = ticket.state
    ticket.state = to
    ticket.updated_at = utcnow()
    if to == TicketState.FIXED:
        ticket.fixed_at = ticket.updated_at
    if to == TicketState.CLOSED:
        ticket.closed_at = ticket.updated_at
    if to == TicketState.REOPENED:
        ticket.fixed_at = None
        ticket.closed_at = None
    _event(session, ticket, username, "state", before, to, comment)


def _notify(
    session: Session, ticket: Ticket, event: str, settings: Settings, comment: str = ""
) -> None:
    from monitor.notifiers.outbox import enqueue_ticket_event

    enqueue_ticket_event(session, ticket, event, settings, comment=comment)


def _query(actor: Actor):
    stmt = select(Ticket).options(
        joinedload(Ticket.camera).joinedload(Camera.area),
        joinedload(Ticket.crew),
        joinedload(Ticket.incident),
    )
    if actor.role == Role.CREW:
        stmt = stmt.where(Ticket.crew_id == (actor.crew_id or -1))
    elif actor.area_ids is not None:  # a commune police post: tickets of outages in its areas
        stmt = stmt.where(
            Ticket.incident_id.in_(select(Incident.id).where(actor.area_filter(Incident.area_path)))
        )
    return stmt


def list_tickets(
    session: Session,
    actor: Actor,
    *,
    state: TicketState | None = None,
    crew_id: int | None = None,
    area_code: str | None = None,
    camera_code: str | None = None,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Ticket], int]:
    """Tickets the actor may see (a crew: its own), newest first, with filters."""
    stmt = _query(actor)
    if state is not None:
        stmt = stmt.where(Ticket.state == state)
    if open_only:
        stmt = stmt.where(Ticket.state != TicketState.CLOSED)
    if crew_id is not None:
        stmt = stmt.where(Ticket.crew_id == crew_id)
    if area_code:
        within = session.scalar(select(Area.path).where(Area.code == area_code))
        stmt = stmt.where(
            Ticket.area_id.in_(select(Area.id).where(Area.path.like(f"{within or '-'}%")))
        )
    if camera_code:
        stmt = stmt.where(
            Ticket.camera_id
            == select(Camera.id).where(Camera.code == camera_code).scalar_subquery()
        )
    return paginate(
        session, stmt.order_by(Ticket.opened_at.desc(), Ticket.id.desc()), limit, offset
    )


def get_ticket(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    """One ticket, if the actor may see it."""
    ticket = session.scalar(_query(actor).where(Ticket.id == ticket_id))
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def change_state(
    session: Session,
    actor: Actor,
    ticket_id: int,
    to_state: TicketState,
    comment: str = "",
    *,
    settings: Settings,
    crew_id: int | None = None,
) -> Ticket:
    """Move a ticket by hand: crews start and fix, technicians and admins also assign and close."""
    ticket = get_ticket(session, actor, ticket_id)
    if to_state not in ROLE_TARGETS.get(actor.role, frozenset()):
        raise PermissionDenied(f"your role may not set a ticket to {to_state.value}")
    if to_state == TicketState.ASSIGNED:
        crew = session.get(Crew, crew_id) if crew_id is not None else None
        if crew is None:
            raise InvalidData("assigning a ticket needs a crew (crew_id)")
        ticket.crew = crew
    note = comment.strip()[:2000]
    _move(session, ticket, to_state, actor.username, note)
    _notify(session, ticket, "ticket.state_changed", settings, note)
    return ticket


def add_comment(
    session: Session,
    actor: Actor,
    ticket_id: int,
    comment: str,
    *,
    settings: Settings,
) -> TicketEvent:
    """Add a comment to a ticket (anyone who may see it, except police); the crew is told."""
    if actor.role == Role.POLICE:
        raise PermissionDenied("police users read tickets but do not comment")
    text = comment.strip()
    if not text:
        raise InvalidData("a comment cannot be empty")
    ticket = get_ticket(session, actor, ticket_id)
    ticket.updated_at = utcnow()
    event = _event(session, ticket, actor.username, "comment", None, None, text[:2000])
    _notify(session, ticket, "ticket.comment", settings, text[:2000])
    return event


def ticket_of(session: Session, incident: Incident) -> Ticket | None:
    """The ticket opened for an incident, if any."""
    return session.scalar(select(Ticket).where(Ticket.incident_id == incident.id))


def reopen(session: Session, ticket: Ticket, reason: str, settings: Settings) -> None:
    """The fault is back or was never fixed: reopen the ticket for the crew."""
    if TicketState.REOPENED in TRANSITIONS[ticket.state]:
        _move(session, ticket, TicketState.REOPENED, SYSTEM, reason)
        _notify(session, ticket, "ticket.reopened", settings)


def close_as_merged(
    session: Session, ticket: Ticket, group_incident_id: int, settings: Settings
) -> None:
    """Close a camera's ticket whose outage became part of a grouped incident."""
    text = i18n.t("ticket.history.merged", settings.language).format(group=group_incident_id)
    _move(session, ticket, TicketState.CLOSED, SYSTEM, text)


def verify_after_probe(
    session: Session,
    incident: Incident,
    settings: Settings,
    now: datetime,
    *,
    healthy: bool,
    grace_seconds: float = 0.0,
) -> None:
    """After a probe: a fixed ticket is verified and closed when healthy, reopened when not."""
    ticket = ticket_of(session, incident)
    if ticket is None or ticket.state != TicketState.FIXED:
        return
    fixed_at = as_utc(ticket.fixed_at)
    if not healthy and fixed_at is not None and (now - fixed_at).total_seconds() < grace_seconds:
        return  # the crew just finished; give the camera time to boot before judging
    if healthy:
        verified = i18n.t("ticket.history.verified", settings.language)
        _move(session, ticket, TicketState.VERIFIED, SYSTEM, verified)
        _move(session, ticket, TicketState.CLOSED, SYSTEM, "")
        _notify(session, ticket, "ticket.closed", settings)
    else:
        reopen(session, ticket, i18n.t("ticket.history.still_failing", settings.language), settings)
