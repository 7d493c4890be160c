"""Validated shapes of the movement-models registry: Create / Update / Public per resource."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from monitor.core.models import ModelStatus, ReviewDecision, ReviewKind, ReviewRating, UnitKind
from monitor.registry.schemas import AreaRef, Code, Phone, Strict

TypeCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$")]
LongName = Annotated[str, Field(min_length=1, max_length=400)]
DossierItem = Annotated[str, Field(min_length=1, max_length=200)]
Year = Annotated[int, Field(ge=2000, le=2100)]
Indicator = Annotated[str, Field(min_length=1, max_length=200)]


# --- types -----------------------------------------------------------------------------------


class TypeCreate(Strict):
    code: TypeCode
    name_vi: LongName
    name_en: str = Field(default="", max_length=400)
    description: str = Field(default="", max_length=4000)
    dossier_template: list[DossierItem] = Field(default_factory=list, max_length=50)
    links_cameras: bool = False


class TypeUpdate(Strict):
    name_vi: LongName | None = None
    name_en: str | None = Field(default=None, max_length=400)
    description: str | None = Field(default=None, max_length=4000)
    dossier_template: list[DossierItem] | None = Field(default=None, max_length=50)


class TypePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name_vi: str
    name_en: str
    description: str
    dossier_template: list[str]
    links_cameras: bool
    builtin: bool


class TypeRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name_vi: str
    name_en: str


# --- instances -------------------------------------------------------------------------------


class BudgetIn(Strict):
    year: Year
    amount_vnd: int = Field(ge=0, le=10**15)


class TargetIn(Strict):
    year: Year
    indicator: Indicator
    target: float = Field(ge=0)
    achieved: float | None = Field(default=None, ge=0)


def _unique(items: list[BudgetIn] | list[TargetIn] | None, what: str) -> None:
    if items is None:
        return
    keys = [(i.year, getattr(i, "indicator", "")) for i in items]
    if len(keys) != len(set(keys)):
        raise ValueError(
            f"{what} repeat the same year" + (" and indicator" if what == "targets" else "")
        )


class InstanceFields(Strict):
    """Fields shared by create and update (all optional here). Lists replace what is stored."""

    name: LongName | None = None
    unit_name: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    unit_kind: UnitKind | None = None
    host_id: int | None = None
    area_code: str | None = None
    started_on: date | None = None
    responsible_person: str | None = Field(default=None, max_length=200)
    responsible_phone: Phone | None = None
    status: ModelStatus | None = None
    dossier_done: list[DossierItem] | None = None
    budgets: list[BudgetIn] | None = None
    targets: list[TargetIn] | None = None
    camera_codes: list[Code] | None = None
    notes: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _no_repeats(self) -> InstanceFields:
        _unique(self.budgets, "budgets")
        _unique(self.targets, "targets")
        return self


class InstanceCreate(InstanceFields):
    code: Code
    type_code: str
    name: LongName
    unit_name: Annotated[str, Field(min_length=1, max_length=300)]
    area_code: str


class InstanceUpdate(InstanceFields):
    pass


class DossierEntry(BaseModel):
    item: str
    done: bool


class BudgetPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    year: int
    amount_vnd: int


class TargetPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    year: int
    indicator: str
    target: float
    achieved: float | None


class InstancePublic(BaseModel):
    id: int
    code: str
    type: TypeRef
    name: str
    unit_name: str
    unit_kind: UnitKind
    host_id: int | None
    area: AreaRef
    started_on: date | None
    responsible_person: str
    responsible_phone: str
    status: ModelStatus
    dossier: list[DossierEntry]
    dossier_completeness: float
    budgets: list[BudgetPublic]
    targets: list[TargetPublic]
    camera_codes: list[str]
    last_reviewed_on: date | None
    notes: str
    created_at: datetime
    updated_at: datetime


# --- reviews ---------------------------------------------------------------------------------


class ReviewCreate(Strict):
    kind: ReviewKind = ReviewKind.INTERIM
    reviewed_on: date
    period_start: date
    period_end: date
    rating: ReviewRating
    findings: str = Field(default="", max_length=20000)
    decision: ReviewDecision
    reviewer: Annotated[str, Field(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _period(self) -> ReviewCreate:
        if self.period_end < self.period_start:
            raise ValueError("the review period must end on or after its start")
        if self.reviewed_on < self.period_start:
            raise ValueError("a review cannot take place before its period starts")
        return self


class CameraHealth(BaseModel):
    """One linked camera's measured health over a period."""

    code: str
    name: str
    availability: float | None  # 0..1 (docs/availability.md); None when not monitored
    hours_measured: int
    monitored_seconds: float = 0.0
    incidents: int
    downtime_seconds: float
    faults: dict[str, int]


class ModelHealth(BaseModel):
    """The cameras of a camera-model instance over a period, and their totals."""

    period_start: date
    period_end: date
    cameras: list[CameraHealth]
    availability: float | None
    incidents: int
    downtime_seconds: float
    faults: dict[str, int]


class ReviewPublic(BaseModel):
    id: int
    instance_code: str
    kind: ReviewKind
    reviewed_on: date
    period_start: date
    period_end: date
    rating: ReviewRating
    findings: str
    decision: ReviewDecision
    reviewer: str
    recorded_by: str
    area_name: str = ""  # the area's name when the review was recorded (before any merger)
    camera_health: ModelHealth | None
