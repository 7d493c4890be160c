"""Movement-models registry: model types, their instances, yearly figures and periodic reviews."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.core.models.base import Base, TimestampMixin, str_enum
from monitor.core.models.registry import Area, Camera, Host


class UnitKind(enum.StrEnum):
    """The kind of unit that runs a model."""

    AGENCY = "agency"  # cơ quan
    ENTERPRISE = "enterprise"  # doanh nghiệp
    SCHOOL = "school"  # trường học
    VILLAGE = "village"  # thôn / tổ dân phố / khu dân cư
    OTHER = "other"


class ModelStatus(enum.StrEnum):
    """Where a model instance stands after its last review."""

    ACTIVE = "active"
    UNDER_REVIEW = "under_review"
    TO_CONSOLIDATE = "to_consolidate"
    INEFFECTIVE = "ineffective"
    REMOVED = "removed"
    REPLICATED = "replicated"


class ReviewKind(enum.StrEnum):
    """Sơ kết (interim review) or tổng kết (final review)."""

    INTERIM = "interim"  # sơ kết
    FINAL = "final"  # tổng kết


class ReviewRating(enum.StrEnum):
    """The steering committee's rating of a model over the review period."""

    EXCELLENT = "excellent"  # xuất sắc
    GOOD = "good"  # tốt
    FAIR = "fair"  # khá
    AVERAGE = "average"  # trung bình
    WEAK = "weak"  # yếu


class ReviewDecision(enum.StrEnum):
    """What the committee decides at a review; each decision sets the instance's status."""

    KEEP = "keep"
    CONSOLIDATE = "consolidate"
    REPLICATE = "replicate"
    REMOVE = "remove"


class ModelType(Base, TimestampMixin):
    """A kind of movement model ("Camera an ninh", "Hộ an toàn, ..."), with its dossier template."""

    __tablename__ = "movement_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(400))
    name_en: Mapped[str] = mapped_column(String(400), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Names of the dossier (hồ sơ) documents every instance of this type must hold.
    dossier_template: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Instances of a camera model link cameras; their reviews show measured availability.
    links_cameras: Mapped[bool] = mapped_column(default=False)
    builtin: Mapped[bool] = mapped_column(default=False)


movement_instance_cameras = Table(
    "movement_instance_cameras",
    Base.metadata,
    Column(
        "instance_id", ForeignKey("movement_instances.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("camera_id", ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True),
)


class ModelInstance(Base, TimestampMixin):
    """One model as a unit runs it in an area; `dossier` is a list of {item, done}."""

    __tablename__ = "movement_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    type_id: Mapped[int] = mapped_column(
        ForeignKey("movement_types.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(400))
    unit_name: Mapped[str] = mapped_column(String(300))
    unit_kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind), default=UnitKind.VILLAGE)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id", ondelete="SET NULL"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    started_on: Mapped[date | None]
    responsible_person: Mapped[str] = mapped_column(String(200), default="")
    responsible_phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[ModelStatus] = mapped_column(
        str_enum(ModelStatus), default=ModelStatus.ACTIVE, index=True
    )
    dossier: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")

    type: Mapped[ModelType] = relationship()
    area: Mapped[Area] = relationship()
    host: Mapped[Host | None] = relationship()
    cameras: Mapped[list[Camera]] = relationship(
        secondary=movement_instance_cameras, order_by="Camera.code"
    )
    budgets: Mapped[list[ModelBudget]] = relationship(
        back_populates="instance", cascade="all, delete-orphan", order_by="ModelBudget.year"
    )
    targets: Mapped[list[ModelTarget]] = relationship(
        back_populates="instance",
        cascade="all, delete-orphan",
        order_by="(ModelTarget.year, ModelTarget.indicator)",
    )
    reviews: Mapped[list[ModelReview]] = relationship(
        back_populates="instance",
        cascade="all, delete-orphan",
        order_by="(ModelReview.reviewed_on, ModelReview.id)",
    )


class ModelBudget(Base):
    """Budget allocated to an instance for one year, in đồng."""

    __tablename__ = "movement_budgets"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("movement_instances.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger, default=0)

    instance: Mapped[ModelInstance] = relationship(back_populates="budgets")


class ModelTarget(Base):
    """A yearly target and the figure achieved (e.g. safe households to reach by 2025)."""

    __tablename__ = "movement_targets"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("movement_instances.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(200), primary_key=True)
    target: Mapped[float] = mapped_column(default=0.0)
    achieved: Mapped[float | None]

    instance: Mapped[ModelInstance] = relationship(back_populates="targets")


class ModelReview(Base, TimestampMixin):
    """A sơ kết / tổng kết of one instance: period, rating, findings, decision, reviewer."""

    __tablename__ = "movement_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("movement_instances.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ReviewKind] = mapped_column(str_enum(ReviewKind), default=ReviewKind.INTERIM)
    reviewed_on: Mapped[date]
    period_start: Mapped[date]
    period_end: Mapped[date]
    rating: Mapped[ReviewRating] = mapped_column(str_enum(ReviewRating))
    findings: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[ReviewDecision] = mapped_column(str_enum(ReviewDecision))
    reviewer: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(80), default="")
    # The camera figures as computed when the review was recorded (a review is a record: later
    # camera links or late incidents must not change it). None: not a camera model, or older.
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The instance's area when the review was recorded (a merged commune keeps its name here).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))

    instance: Mapped[ModelInstance] = relationship(back_populates="reviews")
    area: Mapped[Area | None] = relationship()
