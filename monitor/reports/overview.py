"""The fleet at a glance for one user: cameras by state, open work, worst areas, last changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.core.models import (
    Area,
    AreaLevel,
    Camera,
    CameraStatus,
    HealthState,
    Incident,
    IncidentKind,
    StateChange,
    as_utc,
)
from monitor.outages import tickets

STATES = (
    HealthState.UP,
    HealthState.DEGRADED,
    HealthState.DOWN,
    HealthState.MAINTENANCE,
    HealthState.UNKNOWN,
)
WORST_AREAS = 5
RECENT_CHANGES = 20


@dataclass(frozen=True, slots=True)
class AreaHealth:
    """One area's enabled cameras and how many of them are down or degraded."""

    code: str
    name: str
    cameras: int
    down: int
    degraded: int

    @property
    def bad_share(self) -> float:
        """Share of the area's cameras that are down or degraded (0..1)."""
        return (self.down + self.degraded) / self.cameras if self.cameras else 0.0


@dataclass(frozen=True, slots=True)
class RecentChange:
    """A camera's state change in the last hour."""

    at: datetime
    code: str
    name: str
    from_state: str
    to_state: str
    faults: list[str]


@dataclass(slots=True)
class Overview:
    """What the home page shows."""

    at: datetime
    by_state: dict[str, int]
    cameras: int
    disabled: int
    open_incidents: int
    open_tickets: int
    worst_areas: list[AreaHealth] = field(default_factory=list)
    changes: list[RecentChange] = field(default_factory=list)
    changes_total: int = 0

    def as_dict(self) -> dict[str, object]:
        """The overview as JSON-ready values (times ISO 8601 with offset)."""
        return {
            "at": self.at.isoformat(),
            "cameras": self.cameras,
            "disabled": self.disabled,
            "by_state": self.by_state,
            "open_incidents": self.open_incidents,
            "open_tickets": self.open_tickets,
            "worst_areas": [
                {
                    "code": a.code,
                    "name": a.name,
                    "cameras": a.cameras,
                    "down": a.down,
                    "degraded": a.degraded,
                }
                for a in self.worst_areas
            ],
            "changes_last_hour": self.changes_total,
            "changes": [
                {
                    "at": c.at.isoformat(),
                    "code": c.code,
                    "name": c.name,
                    "from_state": c.from_state,
                    "to_state": c.to_state,
                    "faults": c.faults,
                }
                for c in self.changes
            ],
        }


def _state_of(value: HealthState | None) -> str:
    return (value or HealthState.UNKNOWN).value


def _grouping_areas(session: Session) -> dict[int, Area]:
    # Cameras are grouped by the commune-level area above them (villages roll up into it); a
    # camera registered directly on a higher area is grouped on that area.
    rows = session.scalars(select(Area).where(Area.level == AreaLevel.COMMUNE))
    return {a.id: a for a in rows}


def build_overview(session: Session, actor: Actor, *, now: datetime | None = None) -> Overview:
    """Counts for the cameras in the actor's areas (enabled cameras; disabled counted apart)."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(Camera.enabled, Camera.area_id, Area.path, CameraStatus.state)
        .join(Camera.area)
        .outerjoin(CameraStatus, CameraStatus.camera_id == Camera.id)
        .where(actor.area_filter(Area.path))
    ).all()
    by_state: Counter[str] = Counter({s.value: 0 for s in STATES})
    groups = _grouping_areas(session)
    per_area: dict[int, Counter[str]] = {}
    disabled = 0
    for row in rows:
        if not row.enabled:
            disabled += 1
            continue
        state = _state_of(row.state)
        by_state[state] += 1
        ids = [int(i) for i in row.path.strip("/").split("/") if i]
        group = next((i for i in reversed(ids) if i in groups), row.area_id)
        per_area.setdefault(group, Counter())[state] += 1
    names = {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(list(per_area))))}
    health = [
        AreaHealth(
            code=names[i].code,
            name=names[i].name,
            cameras=sum(c.values()),
            down=c[HealthState.DOWN.value],
            degraded=c[HealthState.DEGRADED.value],
        )
        for i, c in per_area.items()
        if i in names
    ]
    worst = sorted(
        (a for a in health if a.down or a.degraded),
        key=lambda a: (-a.bad_share, -a.down, a.name),
    )[:WORST_AREAS]
    open_incidents = (
        session.scalar(
            select(func.count(Incident.id))
            .join(Camera, Camera.id == Incident.camera_id)
            .join(Area, Area.id == Camera.area_id)
            .where(
                Incident.ended_at.is_(None),
                Incident.kind == IncidentKind.CAMERA,
                actor.area_filter(Area.path),
            )
        )
        or 0
    )
    _, open_tickets = tickets.list_tickets(session, actor, open_only=True, limit=1)
    changes, changes_total = recent_changes(session, actor, since=now - timedelta(hours=1))
    return Overview(
        at=now,
        by_state=dict(by_state),
        cameras=sum(by_state.values()),
        disabled=disabled,
        open_incidents=open_incidents,
        open_tickets=open_tickets,
        worst_areas=worst,
        changes=changes,
        changes_total=changes_total,
    )


def recent_changes(
    session: Session, actor: Actor, *, since: datetime, limit: int = RECENT_CHANGES
) -> tuple[list[RecentChange], int]:
    """State changes since a time in the actor's areas, newest first, and how many there were."""
    base = (
        select(StateChange, Camera.code, Camera.name)
        .join(Camera, Camera.id == StateChange.camera_id)
        .join(Area, Area.id == Camera.area_id)
        .where(StateChange.at >= since, actor.area_filter(Area.path))
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(StateChange.at.desc()).limit(limit)).all()
    changes = [
        RecentChange(
            at=as_utc(change.at),
            code=code,
            name=name,
            from_state=change.from_state.value,
            to_state=change.to_state.value,
            faults=list(change.faults or ()),
        )
        for change, code, name in rows
    ]
    return changes, total


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A camera on the map."""

    code: str
    name: str
    address: str
    lat: float
    lon: float
    state: str
    faults: list[str]
    enabled: bool


def map_points(session: Session, actor: Actor) -> list[MapPoint]:
    """Every camera with coordinates in the actor's areas, with its current state."""
    rows = session.execute(
        select(
            Camera.code,
            Camera.name,
            Camera.address,
            Camera.latitude,
            Camera.longitude,
            Camera.enabled,
            CameraStatus.state,
            CameraStatus.faults,
        )
        .join(Camera.area)
        .outerjoin(CameraStatus, CameraStatus.camera_id == Camera.id)
        .where(
            actor.area_filter(Area.path),
            Camera.latitude.is_not(None),
            Camera.longitude.is_not(None),
        )
        .order_by(Camera.code)
    ).all()
    return [
        MapPoint(
            code=r.code,
            name=r.name,
            address=r.address,
            lat=r.latitude,
            lon=r.longitude,
            state=_state_of(r.state),
            faults=list(r.faults or ()),
            enabled=r.enabled,
        )
        for r in rows
    ]
