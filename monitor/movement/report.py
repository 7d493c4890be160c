"""The movement-models report of a cluster, a commune or the province, as the steering committee
reads it."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.localtime import display_zone
from monitor.core.models import Area, ModelInstance, ModelStatus, ModelType
from monitor.movement.access import require_reader
from monitor.movement.health import cameras_health, summarise
from monitor.movement.instances import (
    dossier_completeness,
    last_reviewed_on,
    missing_dossier_items,
)
from monitor.registry.areas import get_area
from monitor.registry.schemas import AreaRef


class TypeStatusRow(BaseModel):
    type_code: str
    type_name: str
    counts: dict[str, int]
    total: int


class TargetRow(BaseModel):
    type_code: str
    type_name: str
    indicator: str
    year: int
    instances: int
    target: float
    achieved: float
    percent: float | None


class BudgetRow(BaseModel):
    type_code: str
    type_name: str
    year: int
    amount_vnd: int


class DossierRow(BaseModel):
    code: str
    name: str
    type_code: str
    area: str
    completeness: float
    missing: list[str]


class OverdueRow(BaseModel):
    code: str
    name: str
    type_code: str
    area: str
    status: ModelStatus
    last_reviewed_on: date | None
    due_on: date


class CameraModelRow(BaseModel):
    code: str
    name: str
    area: str
    status: ModelStatus
    cameras: int
    availability: float | None
    incidents: int
    downtime_seconds: float
    faults: dict[str, int]


class MovementReport(BaseModel):
    """Everything the report shows; exports render exactly this."""

    area: AreaRef | None
    area_name: str
    year: int
    as_of: date
    overdue_months: int
    health_start: date
    health_end: date
    instances_total: int
    by_type_status: list[TypeStatusRow]
    targets: list[TargetRow]
    budgets: list[BudgetRow]
    incomplete_dossiers: list[DossierRow]
    overdue: list[OverdueRow]
    camera_models: list[CameraModelRow]
    generated_at: datetime


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_on(row: ModelInstance, months: int) -> date:
    """When the next review falls due: `months` after the last review (or the start)."""
    since = last_reviewed_on(row) or row.started_on or row.created_at.date()
    return add_months(since, months)


def build_report(
    session: Session,
    actor: Actor,
    *,
    area_code: str | None = None,
    year: int | None = None,
    as_of: date | None = None,
    overdue_months: int = 12,
    health_days: int = 30,
    lang: str = "vi",
) -> MovementReport:
    """The report for a cluster or commune (any area) and what lies below it, or the province."""
    require_reader(actor)
    as_of = as_of or datetime.now(display_zone()).date()
    if not 1900 <= as_of.year <= 2200:
        raise InvalidData("as_of: the year must be between 1900 and 2200")
    year = year or as_of.year
    area = get_area(session, area_code) if area_code else None
    stmt = (
        select(ModelInstance)
        .join(ModelInstance.area)
        .options(
            joinedload(ModelInstance.area),
            joinedload(ModelInstance.type),
            selectinload(ModelInstance.cameras),
            selectinload(ModelInstance.budgets),
            selectinload(ModelInstance.targets),
            selectinload(ModelInstance.reviews),
        )
        .order_by(ModelInstance.code)
    )
    if area is not None:
        stmt = stmt.where(Area.path.like(f"{area.path}%"))
    rows = list(session.scalars(stmt))
    type_order = (ModelType.builtin.desc(), ModelType.id)
    types = list(session.scalars(select(ModelType).order_by(*type_order)))

    def type_name(t: ModelType) -> str:
        return t.name_en if lang == "en" and t.name_en else t.name_vi

    live = [r for r in rows if r.status != ModelStatus.REMOVED]
    health_start = as_of - timedelta(days=health_days - 1)
    return MovementReport(
        area=AreaRef.model_validate(area) if area else None,
        area_name=area.name if area else "",
        year=year,
        as_of=as_of,
        overdue_months=overdue_months,
        health_start=health_start,
        health_end=as_of,
        instances_total=len(rows),
        by_type_status=_by_type_status(rows, types, type_name),
        targets=_targets(live, types, type_name, year),
        budgets=_budgets(live, types, type_name, year),
        incomplete_dossiers=[
            DossierRow(
                code=r.code,
                name=r.name,
                type_code=r.type.code,
                area=r.area.name,
                completeness=dossier_completeness(r),
                missing=missing_dossier_items(r),
            )
            for r in live
            if missing_dossier_items(r)
        ],
        overdue=[
            OverdueRow(
                code=r.code,
                name=r.name,
                type_code=r.type.code,
                area=r.area.name,
                status=r.status,
                last_reviewed_on=last_reviewed_on(r),
                due_on=review_due_on(r, overdue_months),
            )
            for r in live
            if review_due_on(r, overdue_months) < as_of
        ],
        camera_models=_camera_models(session, live, health_start, as_of),
        generated_at=datetime.now(UTC),
    )


TypeName = Callable[[ModelType], str]


def _by_type_status(
    rows: list[ModelInstance], types: list[ModelType], type_name: TypeName
) -> list[TypeStatusRow]:
    counts: dict[int, dict[ModelStatus, int]] = defaultdict(lambda: dict.fromkeys(ModelStatus, 0))
    for row in rows:
        counts[row.type_id][row.status] += 1
    return [
        TypeStatusRow(
            type_code=t.code,
            type_name=type_name(t),
            counts={s.value: n for s, n in counts[t.id].items()},
            total=sum(counts[t.id].values()),
        )
        for t in types
    ]


def _targets(
    rows: list[ModelInstance], types: list[ModelType], type_name: TypeName, year: int
) -> list[TargetRow]:
    sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in rows:
        for target in row.targets:
            if target.year == year:
                entry = sums[(row.type_id, target.indicator)]
                entry[0] += 1
                entry[1] += target.target
                entry[2] += target.achieved or 0.0
    out = []
    for t in types:
        for (type_id, indicator), (n, goal, done) in sorted(sums.items(), key=lambda kv: kv[0][1]):
            if type_id == t.id:
                percent = round(100.0 * done / goal, 1) if goal else None
                out.append(
                    TargetRow(
                        type_code=t.code,
                        type_name=type_name(t),
                        indicator=indicator,
                        year=year,
                        instances=int(n),
                        target=goal,
                        achieved=done,
                        percent=percent,
                    )
                )
    return out


def _budgets(
    rows: list[ModelInstance], types: list[ModelType], type_name: TypeName, year: int
) -> list[BudgetRow]:
    totals: dict[int, int] = defaultdict(int)
    for row in rows:
        for budget in row.budgets:
            if budget.year == year:
                totals[row.type_id] += budget.amount_vnd
    return [
        BudgetRow(type_code=t.code, type_name=type_name(t), year=year, amount_vnd=totals[t.id])
        for t in types
        if t.id in totals
    ]


def _camera_models(
    session: Session, rows: list[ModelInstance], start: date, end: date
) -> list[CameraModelRow]:
    models = [r for r in rows if r.type.links_cameras]
    cameras = {c.id: c for r in models for c in r.cameras}
    health = cameras_health(session, list(cameras.values()), start, end)
    by_code = {h.code: h for h in health.cameras}
    out = []
    for row in models:
        total = summarise([by_code[c.code] for c in row.cameras], start, end)
        out.append(
            CameraModelRow(
                code=row.code,
                name=row.name,
                area=row.area.name,
                status=row.status,
                cameras=len(row.cameras),
                availability=total.availability,
                incidents=total.incidents,
                downtime_seconds=total.downtime_seconds,
                faults=total.faults,
            )
        )
    return out
