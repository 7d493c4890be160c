"""The outage list: camera and group incidents with filters, sorting and paging."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.i18n import fault_label, level_label, t
from monitor.core.localtime import format_local
from monitor.core.models import Area, AreaLevel, Camera, Incident, IncidentKind, Ticket
from monitor.core.paging import clamp_offset
from monitor.registry.area_index import AreaIndex
from monitor.reports.common import area_scope, as_utc, parse_time, path_condition
from probes.faults import FaultCode

SORTS = ("start", "end", "duration", "camera", "area")
STATES = ("open", "closed")
MAX_LIMIT = 1000


@dataclass(slots=True)
class OutageFilter:
    """What the user asked for; every field optional."""

    cluster: str | None = None  # area code of a cluster (cụm / former district)
    commune: str | None = None  # area code of a commune, ward or special zone
    area: str | None = None  # any area code (a village, …)
    start: datetime | None = None  # outages still going at or after this time
    end: datetime | None = None  # outages that began before this time
    fault: str | None = None
    state: str | None = None  # "open" (still going) or "closed"
    camera: str | None = None  # camera code

    @classmethod
    def from_query(cls, params: Mapping[str, str | None]) -> OutageFilter:
        """The filter from a query string or form (empty values mean no filter)."""

        def text(name: str) -> str | None:
            return (params.get(name) or "").strip() or None

        return cls(
            cluster=text("cluster"),
            commune=text("commune"),
            area=text("area"),
            start=parse_time(text("start"), field="start"),
            end=parse_time(text("end"), field="end"),
            fault=text("fault"),
            state=text("state"),
            camera=text("camera"),
        )

    def check(self) -> None:
        """InvalidData for values outside the vocabulary."""
        if self.fault and self.fault not in set(FaultCode):
            raise InvalidData(f"unknown fault code {self.fault!r}")
        if self.state and self.state not in STATES:
            raise InvalidData("state must be 'open' or 'closed'")
        if self.start and self.end and self.end <= self.start:
            raise InvalidData("the end of the time range must be after its start")

    def describe(self, session: Session, lang: str) -> list[tuple[str, str]]:
        """The filters as (label, value) pairs in the user's language, for exported documents."""
        pairs: list[tuple[str, str]] = []
        for code in (self.cluster, self.commune, self.area):
            if code:
                area = session.scalar(select(Area).where(Area.code == code))
                label = level_label(area.level.value, lang) if area else t("col.area", lang)
                pairs.append((label, f"{area.name} ({code})" if area else code))
        if self.start:
            pairs.append((t("common.from", lang), format_local(self.start)))
        if self.end:
            pairs.append((t("common.to", lang), format_local(self.end)))
        if self.fault:
            pairs.append((t("outages.fault", lang), fault_label(self.fault, lang)))
        if self.state:
            pairs.append((t("outages.state", lang), t(f"incident.{self.state}", lang)))
        if self.camera:
            pairs.append((t("col.camera_code", lang), self.camera))
        return pairs


@dataclass(slots=True)
class OutageRow:
    """One outage as the list shows it; a group carries its member cameras' outages."""

    incident_id: int
    kind: str
    camera_code: str
    camera_name: str
    address: str
    commune: str
    cluster: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: float
    state: str
    faults: list[str]
    ticket_id: int | None
    ticket_state: str | None
    group_key: str = ""
    members: list[OutageRow] = field(default_factory=list)


def _duration_expr(session: Session, now: datetime):
    """Seconds from start to end (or now), in the backend's own date arithmetic."""
    if session.get_bind().dialect.name == "postgresql":
        finish = func.coalesce(Incident.ended_at, now)
        return func.extract("epoch", finish - Incident.started_at)
    finish = func.coalesce(Incident.ended_at, now.replace(tzinfo=None).isoformat(sep=" "))
    return (func.julianday(finish) - func.julianday(Incident.started_at)) * 86400.0


def _place_conditions(
    session: Session,
    actor: Actor,
    flt: OutageFilter,
    camera,
    path,
) -> list:
    """Conditions on an outage's place (its area path when it began): scope and place filters."""
    conditions = [actor.area_filter(path)]
    for code, level in (
        (flt.cluster, AreaLevel.CLUSTER),
        (flt.commune, AreaLevel.COMMUNE),
        (flt.area, None),
    ):
        if code:
            # A merged unit's outages stay under its successor too.
            conditions.append(path_condition(path, area_scope(session, code, level)))
    if flt.camera:
        conditions.append(camera.code == flt.camera)
    return conditions


def _path_of(incident, area):
    """The outage's stored area path, or its camera's area path for rows without one."""
    return case((incident.area_path != "", incident.area_path), else_=area.path)


def _incident_conditions(target, flt: OutageFilter) -> list:
    conditions = []
    if flt.start is not None:
        conditions.append(or_(target.ended_at.is_(None), target.ended_at > flt.start))
    if flt.end is not None:
        conditions.append(target.started_at < flt.end)
    if flt.state == "open":
        conditions.append(target.ended_at.is_(None))
    elif flt.state == "closed":
        conditions.append(target.ended_at.is_not(None))
    if flt.fault:
        # JSON lists are stored as text on both backends: match the quoted code.
        conditions.append(cast(target.faults, String).like(f'%"{flt.fault}"%'))
    return conditions


def outage_query(session: Session, actor: Actor, flt: OutageFilter):
    """Top-level incidents (lone camera outages and groups) matching the filter."""
    flt.check()
    camera_conditions = _place_conditions(session, actor, flt, Camera, _path_of(Incident, Area))
    member = aliased(Incident)
    member_camera = aliased(Camera)
    member_area = aliased(Area)
    member_conditions = _place_conditions(
        session, actor, flt, member_camera, _path_of(member, member_area)
    )
    group_match = exists(
        select(member.id)
        .join(member_camera, member.camera_id == member_camera.id)
        .join(member_area, member_camera.area_id == member_area.id)
        .where(member.group_id == Incident.id, *member_conditions)
    )
    camera_match = and_(
        Incident.kind == IncidentKind.CAMERA,
        exists(
            select(Camera.id)
            .join(Area, Camera.area_id == Area.id)
            .where(Camera.id == Incident.camera_id, *camera_conditions)
        ),
    )
    return select(Incident).where(
        Incident.group_id.is_(None),
        or_(camera_match, and_(Incident.kind == IncidentKind.GROUP, group_match)),
        *_incident_conditions(Incident, flt),
    )


def list_outages(
    session: Session,
    actor: Actor,
    flt: OutageFilter,
    *,
    sort: str = "start",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[OutageRow], int]:
    """One page of outages the actor may see, and how many match in all."""
    if sort not in SORTS:
        raise InvalidData(f"sort must be one of {', '.join(SORTS)}")
    now = now or datetime.now(UTC)
    stmt = outage_query(session, actor, flt)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if sort == "duration":
        key = _duration_expr(session, now)
    elif sort == "end":
        # Ongoing outages have no end yet: they sort as the latest.
        key = func.coalesce(Incident.ended_at, now)
    elif sort in ("camera", "area"):
        key = _sort_by_place(sort)
    else:
        key = Incident.started_at
    ordered = stmt.order_by(key.desc() if descending else key.asc(), Incident.id.desc())
    limit = max(1, min(limit, MAX_LIMIT))
    incidents = list(
        session.scalars(
            ordered.options(
                joinedload(Incident.camera),
                selectinload(Incident.members).joinedload(Incident.camera),
            )
            .limit(limit)
            .offset(clamp_offset(offset))
        ).unique()
    )
    return _rows(session, actor, incidents, now), total


def _sort_by_place(sort: str):
    """Camera code (a group: its key), or the area path (groups the rows by cluster/commune)."""
    camera = aliased(Camera)
    area = aliased(Area)
    if sort == "camera":
        code = select(camera.code).where(camera.id == Incident.camera_id).scalar_subquery()
        return func.coalesce(code, Incident.group_key, "")
    own_path = select(area.path).where(area.id == Incident.area_id).scalar_subquery()
    return case((Incident.area_path != "", Incident.area_path), else_=func.coalesce(own_path, ""))


def _rows(
    session: Session, actor: Actor, incidents: list[Incident], now: datetime
) -> list[OutageRow]:
    areas = AreaIndex.load(session)
    ids = [i.id for i in incidents] + [m.id for i in incidents for m in i.members]
    tickets = {
        tk.incident_id: tk
        for tk in session.scalars(select(Ticket).where(Ticket.incident_id.in_(ids or [-1])))
    }
    rows = []
    for incident in incidents:
        row = _row(incident, areas, tickets, now)
        if incident.kind == IncidentKind.GROUP:
            for member in sorted(incident.members, key=lambda m: m.camera.code if m.camera else ""):
                if member.camera is not None and actor.sees_path(_stored_path(member, areas)):
                    row.members.append(_row(member, areas, tickets, now))
            if not row.commune and row.members:
                row.commune = row.members[0].commune
                row.cluster = row.members[0].cluster
        rows.append(row)
    return rows


def _stored_path(incident: Incident, areas: AreaIndex) -> str:
    """Where the outage happened when it began (the camera's area now for rows without it)."""
    if incident.area_path:
        return incident.area_path
    area_id = incident.area_id or (incident.camera.area_id if incident.camera else None)
    area = areas.by_id.get(area_id) if area_id is not None else None
    return area.path if area is not None else ""


def _row(
    incident: Incident, areas: AreaIndex, tickets: dict[int, Ticket], now: datetime
) -> OutageRow:
    camera = incident.camera
    path = _stored_path(incident, areas)
    started = as_utc(incident.started_at)
    ended = as_utc(incident.ended_at)
    assert started is not None
    ticket = tickets.get(incident.id) or (
        tickets.get(incident.group_id) if incident.group_id is not None else None
    )
    return OutageRow(
        incident_id=incident.id,
        kind=incident.kind.value,
        camera_code=camera.code if camera else "",
        camera_name=camera.name if camera else "",
        address=camera.address if camera else "",
        commune=areas.name_in_path(path, AreaLevel.COMMUNE),
        cluster=areas.name_in_path(path, AreaLevel.CLUSTER),
        started_at=started,
        ended_at=ended,
        duration_seconds=((ended or now) - started).total_seconds(),
        state=incident.state,
        faults=list(incident.faults or []),
        ticket_id=ticket.id if ticket else None,
        ticket_state=ticket.state.value if ticket else None,
        group_key=incident.group_key or "",
    )
