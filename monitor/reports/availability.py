"""Availability report for a month or quarter: per camera, village, commune and cluster; repair
times."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.localtime import from_local
from monitor.core.models import (
    Area,
    AreaLevel,
    Camera,
    Crew,
    Incident,
    IncidentKind,
    Role,
    Ticket,
)
from monitor.registry.area_index import AreaIndex
from monitor.reports.common import (
    area_scope,
    as_utc,
    availability_share,
    covered_seconds,
    path_condition,
)

# Who may read availability reports: police and the staff (crews see their tickets instead).
REPORT_ROLES = (Role.ADMIN, Role.TECHNICIAN, Role.POLICE)

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True, slots=True)
class Period:
    """A report period: [start, end) in UTC, with its label ('2026-10' or '2026-Q3')."""

    start: datetime
    end: datetime
    label: str

    @property
    def seconds(self) -> float:
        """Length of the period."""
        return (self.end - self.start).total_seconds()


def parse_period(text: str) -> Period:
    """'YYYY-MM' for a month or 'YYYY-Qn' for a quarter."""
    text = text.strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise InvalidData("month must be 1..12")
        first, months = month, 1
        label = f"{year}-{month:02d}"
    elif match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        first, months = 3 * (quarter - 1) + 1, 3
        label = f"{year}-Q{quarter}"
    else:
        raise InvalidData("period must be YYYY-MM (a month) or YYYY-Qn (a quarter)")
    if not 1900 <= year <= 2200:
        raise InvalidData("period: the year must be between 1900 and 2200")
    # A month is a Vietnamese calendar month: from local midnight to local midnight.
    after = first + months
    start = from_local(datetime(year, first, 1))
    end = from_local(datetime(year + (after - 1) // 12, (after - 1) % 12 + 1, 1))
    return Period(start, end, label)


@dataclass(slots=True)
class CameraAvailability:
    """One camera over the period."""

    code: str
    name: str
    commune: str
    cluster: str
    village: str
    monitored_seconds: float
    unavailable_seconds: float
    outages: int
    longest_outage_seconds: float

    @property
    def availability(self) -> float | None:
        """Share of the monitored time without an outage (None when not monitored at all)."""
        return availability_share(self.monitored_seconds, self.unavailable_seconds)


@dataclass(slots=True)
class AreaAvailability:
    """A village, commune or cluster: its cameras' time added up."""

    name: str
    cluster: str = ""
    cameras: int = 0
    monitored_seconds: float = 0.0
    unavailable_seconds: float = 0.0
    outages: int = 0

    @property
    def availability(self) -> float | None:
        """Share of camera-time without an outage."""
        return availability_share(self.monitored_seconds, self.unavailable_seconds)


@dataclass(slots=True)
class CrewRepairs:
    """Tickets a crew repaired in the period and the mean time from opened to fixed."""

    crew: str
    tickets: int
    mean_repair_seconds: float


@dataclass(slots=True)
class AvailabilityReport:
    """The whole report."""

    period: Period
    area: str | None  # the area code the report was asked for (None: the actor's province)
    cameras: list[CameraAvailability]
    communes: list[AreaAvailability]
    clusters: list[AreaAvailability]
    villages: list[AreaAvailability]
    crews: list[CrewRepairs]
    worst: list[CameraAvailability] = field(default_factory=list)


def availability_report(
    session: Session,
    actor: Actor,
    period: Period,
    *,
    area: str | None = None,
    worst: int = 10,
    now: datetime | None = None,
) -> AvailabilityReport:
    """Availability of the actor's cameras (optionally of one area: cluster, commune, village).

    An outage is a camera incident (down or degraded) outside maintenance; a camera counts from
    its registration (or the period start) to the period end (or now, for the running period).
    Cameras count under the area they belong to now: after a merger the new commune's figures
    cover its cameras' whole period, outages before the change included.
    """
    now = now or datetime.now(UTC)
    start, end = period.start, min(period.end, now)
    stmt = (
        select(Camera.id, Camera.code, Camera.name, Camera.area_id, Camera.created_at)
        .join(Area, Camera.area_id == Area.id)
        .where(actor.area_filter(Area.path), Camera.enabled.is_(True))
    )
    if area:
        stmt = stmt.where(path_condition(Area.path, area_scope(session, area)))
    cameras = session.execute(stmt.order_by(Camera.code)).all()
    spans = _incident_spans(session, [c.id for c in cameras], start, end)
    areas = AreaIndex.load(session)
    rows = []
    for camera in cameras:
        from_ = max(start, as_utc(camera.created_at) or start)
        monitored = max(0.0, (end - from_).total_seconds())
        mine = spans.get(camera.id, [])
        longest = max((covered_seconds([s], from_, end) for s in mine), default=0.0)
        rows.append(
            CameraAvailability(
                code=camera.code,
                name=camera.name,
                commune=areas.name(camera.area_id, AreaLevel.COMMUNE),
                cluster=areas.name(camera.area_id, AreaLevel.CLUSTER),
                village=areas.name(camera.area_id, AreaLevel.VILLAGE),
                monitored_seconds=monitored,
                unavailable_seconds=covered_seconds(mine, from_, end) if monitored else 0.0,
                outages=len(mine),
                longest_outage_seconds=longest,
            )
        )
    ranked = sorted(
        (r for r in rows if r.availability is not None),
        key=lambda r: (r.availability, -r.outages, r.code),
    )
    return AvailabilityReport(
        period=period,
        area=area,
        cameras=rows,
        communes=_by_area(rows, AreaLevel.COMMUNE),
        clusters=_by_area(rows, AreaLevel.CLUSTER),
        villages=_by_area(rows, AreaLevel.VILLAGE),
        crews=_crew_repairs(session, actor, period, area),
        worst=[r for r in ranked[:worst] if r.unavailable_seconds > 0],
    )


def _incident_spans(
    session: Session, camera_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime | None]]]:
    found: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    if not camera_ids:
        return found
    # Chunked so a province-wide report stays within the backends' parameter limits.
    for i in range(0, len(camera_ids), 5000):
        chunk = camera_ids[i : i + 5000]
        rows = session.execute(
            select(Incident.camera_id, Incident.started_at, Incident.ended_at).where(
                Incident.kind == IncidentKind.CAMERA,
                Incident.in_maintenance.is_(False),
                Incident.camera_id.in_(chunk),
                Incident.started_at < end,
                or_(Incident.ended_at.is_(None), Incident.ended_at > start),
            )
        )
        for camera_id, began, ended in rows:
            if camera_id is None:
                continue
            found[camera_id].append((as_utc(began), as_utc(ended)))
    return found


def _by_area(rows: list[CameraAvailability], level: AreaLevel) -> list[AreaAvailability]:
    groups: dict[tuple[str, ...], AreaAvailability] = {}
    for row in rows:
        if level == AreaLevel.CLUSTER:
            key: tuple[str, ...] = (row.cluster,)
            name = row.cluster
        elif level == AreaLevel.COMMUNE:
            key, name = (row.cluster, row.commune), row.commune
        else:
            if not row.village:
                continue  # cameras registered at the commune itself have no village row
            key, name = (row.cluster, row.commune, row.village), f"{row.village} ({row.commune})"
        group = groups.setdefault(key, AreaAvailability(name=name or "—", cluster=row.cluster))
        group.cameras += 1
        group.monitored_seconds += row.monitored_seconds
        group.unavailable_seconds += row.unavailable_seconds
        group.outages += row.outages
    return sorted(groups.values(), key=lambda g: (g.cluster, g.name))


def _crew_repairs(
    session: Session, actor: Actor, period: Period, area: str | None
) -> list[CrewRepairs]:
    """Mean time to repair per crew: tickets fixed (or closed) in the period, from opening."""
    stmt = (
        select(Ticket)
        .options(joinedload(Ticket.crew))
        .where(
            Ticket.crew_id.is_not(None),
            or_(
                Ticket.fixed_at.between(period.start, period.end),
                Ticket.fixed_at.is_(None) & Ticket.closed_at.between(period.start, period.end),
            ),
        )
    )
    if actor.crew_id is not None and actor.area_ids is not None:
        stmt = stmt.where(Ticket.crew_id == actor.crew_id)
    elif actor.area_ids is not None:
        stmt = stmt.where(Ticket.area_id.in_(select(Area.id).where(actor.area_filter(Area.path))))
    if area:
        ids = area_scope(session, area)
        stmt = stmt.where(Ticket.area_id.in_(select(Area.id).where(path_condition(Area.path, ids))))
    times: dict[str, list[float]] = defaultdict(list)
    for ticket in session.scalars(stmt):
        done = as_utc(ticket.fixed_at or ticket.closed_at)
        opened = as_utc(ticket.opened_at)
        crew: Crew | None = ticket.crew
        if done is not None and opened is not None and crew is not None:
            times[crew.name].append((done - opened).total_seconds())
    return [
        CrewRepairs(crew=name, tickets=len(values), mean_repair_seconds=sum(values) / len(values))
        for name, values in sorted(times.items())
    ]
