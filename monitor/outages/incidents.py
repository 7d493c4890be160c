"""Outages: one incident per camera per episode, grouped when many fall together; tickets follow."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Exists, func, select
from sqlalchemy.orm import Session, joinedload

from monitor.core import i18n
from monitor.core.models import (
    Area,
    AreaLevel,
    Camera,
    CameraStatus,
    HealthState,
    Incident,
    IncidentKind,
    MaintenanceWindow,
    StateChange,
    Ticket,
    TicketState,
    as_utc,
)
from monitor.core.settings import Settings
from monitor.outages import tickets
from monitor.outages.evaluator import Transition
from monitor.registry.area_index import AreaIndex

logger = logging.getLogger(__name__)

SEVERITY = {HealthState.DEGRADED.value: 1, HealthState.DOWN.value: 2}


def _window_now(now: datetime) -> Exists:
    # Correlated: "the incident's camera is inside one of its maintenance windows at `now`".
    return (
        select(MaintenanceWindow.id)
        .where(
            MaintenanceWindow.camera_id == Incident.camera_id,
            MaintenanceWindow.starts_at <= now,
            MaintenanceWindow.ends_at > now,
        )
        .exists()
    )


def cameras_in_maintenance(session: Session, camera_ids: list[int], now: datetime) -> set[int]:
    """Which of the cameras have a maintenance window covering `now` (one query)."""
    if not camera_ids:
        return set()
    return set(
        session.scalars(
            select(MaintenanceWindow.camera_id).where(
                MaintenanceWindow.camera_id.in_(camera_ids),
                MaintenanceWindow.starts_at <= now,
                MaintenanceWindow.ends_at > now,
            )
        )
    )


def open_incident_of(session: Session, camera_id: int) -> Incident | None:
    """The camera's open incident, if any."""
    return session.scalar(
        select(Incident).where(
            Incident.camera_id == camera_id,
            Incident.kind == IncidentKind.CAMERA,
            Incident.ended_at.is_(None),
        )
    )


def record_transition(
    session: Session,
    camera: Camera,
    transition: Transition,
    settings: Settings,
    *,
    reason: str = "",
    metrics: dict[str, float] | None = None,
    evidence_jpeg: bytes | None = None,
) -> Incident | None:
    """Store the state change with its evidence and open, resume or end the camera's incident."""
    session.add(
        StateChange(
            camera_id=camera.id,
            at=transition.at,
            from_state=transition.before,
            to_state=transition.after,
            faults=list(transition.faults),
            reason=reason[:2000],
            metrics=metrics or {},
            evidence_jpeg=evidence_jpeg,
        )
    )
    if transition.became_flapping:
        logger.warning("%s is flapping", camera.code)
    incident = open_incident_of(session, camera.id)
    if transition.after in (HealthState.DOWN, HealthState.DEGRADED):
        if incident is None:
            incident = _resume_or_create(session, camera, transition, settings)
        _worsen(incident, transition.after.value, transition.faults, reason)
        return incident
    if transition.after == HealthState.MAINTENANCE and incident is not None:
        # Work announced in advance is not an outage: the episode ends where maintenance
        # begins. A ticket already opened stays with the crew.
        if tickets.ticket_of(session, incident) is None:
            incident.ended_at = transition.at
            incident.reason = (incident.reason + "; " if incident.reason else "") + "maintenance"
        return incident
    if transition.after == HealthState.UP and incident is not None:
        incident.ended_at = transition.at
        tickets.verify_after_probe(session, incident, settings, transition.at, healthy=True)
        logger.info("%s back up, incident %s ended", camera.code, incident.id)
    return incident


def _resume_or_create(
    session: Session, camera: Camera, transition: Transition, settings: Settings
) -> Incident:
    # A camera that fails again soon after recovering is one episode, not a new one: this is
    # what keeps a flapping camera to one ticket.
    window_start = transition.at - timedelta(seconds=settings.incident_reopen_seconds)
    recent = session.scalar(
        select(Incident)
        .where(
            Incident.camera_id == camera.id,
            Incident.kind == IncidentKind.CAMERA,
            Incident.ended_at >= window_start,
        )
        .order_by(Incident.ended_at.desc())
        .limit(1)
    )
    if recent is not None:
        recent.ended_at = None
        group = session.get(Incident, recent.group_id) if recent.group_id else None
        if group is not None and group.ended_at is not None:
            recent.group_id = None  # that group event is over; this is the camera's own again
        ticket = tickets.ticket_of(session, recent)
        if ticket is not None and ticket.state in (TicketState.VERIFIED, TicketState.CLOSED):
            tickets.reopen(session, ticket, "the fault came back", settings)
        logger.info("%s down again, incident %s resumed", camera.code, recent.id)
        return recent
    incident = Incident(
        kind=IncidentKind.CAMERA,
        camera=camera,
        area_id=camera.area_id,
        area_path=camera.area.path if camera.area is not None else "",
        state=transition.after.value,
        started_at=transition.at,
        faults=[],
        in_maintenance=False,
    )
    session.add(incident)
    session.flush()
    logger.info("%s %s, incident %s opened", camera.code, transition.after.value, incident.id)
    return incident


def _worsen(incident: Incident, state: str, faults: tuple[str, ...], reason: str) -> None:
    if SEVERITY.get(state, 0) > SEVERITY.get(incident.state, 0):
        incident.state = state
    merged = list(incident.faults or [])
    merged.extend(f for f in faults if f not in merged)
    incident.faults = merged
    if reason:
        incident.reason = reason[:2000]


def check_fixed_ticket(
    session: Session, camera_id: int, settings: Settings, now: datetime, *, still_failing: bool
) -> None:
    """A probe after the crew marked the repair done: reopen the ticket if the fault remains."""
    incident = open_incident_of(session, camera_id)
    if incident is not None and still_failing:
        grace = settings.down_after_failures * settings.default_tcp_interval_seconds
        tickets.verify_after_probe(
            session, incident, settings, now, healthy=False, grace_seconds=grace
        )


def maintain(session: Session, settings: Settings, now: datetime) -> None:
    """Periodic sweep: group simultaneous outages, end finished groups, open due tickets."""
    _end_disabled(session, now)
    _group(session, settings, now)
    _end_groups(session, settings, now)
    _verify_fixed(session, settings, now)
    _open_due_tickets(session, settings, now)


def _end_disabled(session: Session, now: datetime) -> None:
    # A camera taken out of service is no longer an outage: end its episode.
    stale = session.scalars(
        select(Incident)
        .join(Camera, Camera.id == Incident.camera_id)
        .where(Incident.ended_at.is_(None), Camera.enabled.is_(False))
    )
    for incident in stale:
        incident.ended_at = now
        incident.reason = (incident.reason + "; " if incident.reason else "") + "camera disabled"


def _verify_fixed(session: Session, settings: Settings, now: datetime) -> None:
    # A crew often marks the repair after the camera is already back: verify those too.
    fixed = session.scalars(
        select(Ticket)
        .join(Incident, Incident.id == Ticket.incident_id)
        .where(Ticket.state == TicketState.FIXED, Incident.ended_at.is_not(None))
    )
    for ticket in fixed:
        incident = ticket.incident
        if incident.camera_id is not None:
            status = session.get(CameraStatus, incident.camera_id)
            if status is None or status.state != HealthState.UP:
                continue
        tickets.verify_after_probe(session, incident, settings, now, healthy=True)


def _open_down_incidents(session: Session, now: datetime) -> list[Incident]:
    return list(
        session.scalars(
            select(Incident)
            .options(joinedload(Incident.camera).joinedload(Camera.area))
            .where(
                Incident.kind == IncidentKind.CAMERA,
                Incident.ended_at.is_(None),
                Incident.state == HealthState.DOWN.value,
                Incident.in_maintenance.is_(False),
                ~_window_now(now),
            )
        )
    )


# Most of a commune down together is one event; else most of a village (a local power cut).
GROUP_LEVELS = (AreaLevel.COMMUNE, AreaLevel.VILLAGE)


def _group(session: Session, settings: Settings, now: datetime) -> None:
    down = _open_down_incidents(session, now)
    if not down:
        return
    areas = AreaIndex.load(session)
    by_device: dict[str, list[Incident]] = defaultdict(list)
    by_area: dict[AreaLevel, dict[int, list[Incident]]] = {
        lv: defaultdict(list) for lv in GROUP_LEVELS
    }
    for incident in down:
        camera = incident.camera
        if camera is None:
            continue
        if camera.upstream_device:
            by_device[camera.upstream_device].append(incident)
        for level in GROUP_LEVELS:
            unit = areas.ancestor(camera.area_id, level)
            if unit is not None:
                by_area[level][unit.id].append(incident)
    for device, members in by_device.items():
        _form_group(session, f"upstream:{device}", members, settings, now, area_id=None)
    for level in GROUP_LEVELS:
        for unit_id, members in by_area[level].items():
            members = [m for m in members if m.group_id is None]
            if not members:
                continue
            total = (
                session.scalar(
                    select(func.count())
                    .select_from(Camera)
                    .join(Area, Camera.area_id == Area.id)
                    .where(Camera.enabled.is_(True), Area.path.like(f"%/{unit_id}/%"))
                )
                or 0
            )
            if total and len(members) / total >= settings.group_commune_share:
                key = f"{level.value}:{areas.by_id[unit_id].code}"
                _form_group(session, key, members, settings, now, area_id=unit_id)


def _path_of(session: Session, area_id: int | None) -> str:
    area = session.get(Area, area_id) if area_id is not None else None
    return area.path if area is not None else ""


def _form_group(
    session: Session,
    key: str,
    members: list[Incident],
    settings: Settings,
    now: datetime,
    *,
    area_id: int | None,
) -> None:
    group = session.scalar(
        select(Incident).where(
            Incident.kind == IncidentKind.GROUP,
            Incident.group_key == key,
            Incident.ended_at.is_(None),
        )
    )
    loose = [m for m in members if m.group_id is None]
    if group is None:
        # Only outages that began close together are one event (a router, a power cut).
        starts = sorted(as_utc(m.started_at) for m in loose)
        window = timedelta(seconds=settings.group_window_seconds)
        if len(loose) < settings.group_min_members or starts[-1] - starts[0] > window:
            return
        first = loose[0].camera
        group = Incident(
            kind=IncidentKind.GROUP,
            group_key=key,
            state=HealthState.DOWN.value,
            started_at=starts[0],
            faults=[],
            area_id=area_id or (first.area_id if first else None),
            area_path=_path_of(session, area_id or (first.area_id if first else None)),
            reason=i18n.t("incident.group_reason", settings.language).format(count=len(loose)),
        )
        session.add(group)
        session.flush()
        logger.warning("%s: %d cameras down together, group incident %s", key, len(loose), group.id)
    for member in loose:
        member.group_id = group.id
        ticket = tickets.ticket_of(session, member)
        if ticket is not None and ticket.state in (TicketState.OPEN, TicketState.ASSIGNED):
            # Nobody has started on it: the group's single ticket covers this camera now.
            tickets.close_as_merged(session, ticket, group.id, settings)
        merged = list(group.faults or [])
        merged.extend(f for f in member.faults if f not in merged)
        group.faults = merged


def _end_groups(session: Session, settings: Settings, now: datetime) -> None:
    groups = session.scalars(
        select(Incident).where(Incident.kind == IncidentKind.GROUP, Incident.ended_at.is_(None))
    )
    for group in groups:
        members = list(session.scalars(select(Incident).where(Incident.group_id == group.id)))
        if members and all(m.ended_at is not None for m in members):
            group.ended_at = max(as_utc(m.ended_at) for m in members if m.ended_at is not None)
            tickets.verify_after_probe(session, group, settings, now, healthy=True)


def _open_due_tickets(session: Session, settings: Settings, now: datetime) -> None:
    down_after = timedelta(seconds=settings.ticket_after_down_seconds)
    degraded_after = timedelta(seconds=settings.ticket_after_degraded_seconds)
    # Only open incidents without a ticket: one query, not one per incident, every tick.
    has_ticket = select(Ticket.id).where(Ticket.incident_id == Incident.id).exists()
    open_incidents = session.scalars(
        select(Incident)
        .options(joinedload(Incident.camera))
        .where(
            Incident.ended_at.is_(None),
            Incident.in_maintenance.is_(False),
            Incident.group_id.is_(None),
            ~has_ticket,
            # A window set while the camera was already failing counts from the moment it
            # covers: the runner may not have probed (and moved it to maintenance) yet.
            ~_window_now(now),
        )
    )
    for incident in open_incidents:
        started = as_utc(incident.started_at)
        assert started is not None
        if incident.state == HealthState.DOWN.value or incident.kind == IncidentKind.GROUP:
            if now - started >= down_after:
                tickets.open_ticket(session, incident, settings)
        elif incident.camera_id is not None:
            status = session.get(CameraStatus, incident.camera_id)
            lasting = [
                f
                for f, since in (status.fault_since if status else {}).items()
                if now - datetime.fromisoformat(since) >= degraded_after
            ]
            if status is not None and status.state == HealthState.DEGRADED and lasting:
                tickets.open_ticket(session, incident, settings)
