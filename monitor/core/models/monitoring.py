"""Monitoring tables: schedule, probe results, state, state changes, references, roll-ups."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.core.models.base import Base, str_enum, utcnow
from monitor.core.models.registry import Camera


class HealthState(enum.StrEnum):
    """A camera's health as the evaluator judges it."""

    UNKNOWN = "unknown"  # never probed
    UP = "up"
    DEGRADED = "degraded"  # reachable, but picture or clock faults
    DOWN = "down"  # offline, auth failed, no stream
    MAINTENANCE = "maintenance"


class ProbeSchedule(Base):
    """When each kind of probe is next due for each camera (the scheduler's work list)."""

    __tablename__ = "probe_schedule"

    camera_id: Mapped[int] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(index=True)
    last_run_at: Mapped[datetime | None]
    # Set while a runner holds the job, so a second tick does not hand it out again.
    leased_until: Mapped[datetime | None]


class ProbeRecord(Base):
    """One probe's outcome (raw results, kept for the retention period)."""

    __tablename__ = "probe_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool]
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    duration_seconds: Mapped[float] = mapped_column(default=0.0)
    lag_seconds: Mapped[float] = mapped_column(default=0.0)  # how late the probe ran
    metrics: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_probe_results_camera_at", "camera_id", "at"),
        Index("ix_probe_results_at", "at"),
    )


class CameraStatus(Base):
    """The current health of one camera, updated by the evaluator after every probe."""

    __tablename__ = "camera_status"

    camera_id: Mapped[int] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[HealthState] = mapped_column(str_enum(HealthState), default=HealthState.UNKNOWN)
    since: Mapped[datetime] = mapped_column(default=utcnow)
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Faults of each probe kind as last seen, merged into `faults`.
    faults_by_kind: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    fault_since: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # fault -> ISO time
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    consecutive_successes: Mapped[int] = mapped_column(default=0)
    # When the current streak began: an outage starts at its first failed probe, not its Nth.
    failing_since: Mapped[datetime | None]
    passing_since: Mapped[datetime | None]
    last_probe_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    flapping: Mapped[bool] = mapped_column(default=False)
    recent_transitions: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO times
    metrics: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)  # latest of each kind
    identity: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # serial, firmware, boot
    last_good_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_good_at: Mapped[datetime | None]
    last_fault_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_fault_at: Mapped[datetime | None]
    # A few kilobytes that tell which parts of the previous grab changed (frozen detection),
    # see probes/frame/fingerprint.py: shared by every worker and kept over restarts.
    frame_fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)

    camera: Mapped[Camera] = relationship()


class StateChange(Base):
    """A change of a camera's health state, with the evidence that caused it."""

    __tablename__ = "state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    from_state: Mapped[HealthState] = mapped_column(str_enum(HealthState))
    to_state: Mapped[HealthState] = mapped_column(str_enum(HealthState))
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    metrics: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    evidence_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary)


class ReferenceView(Base):
    """A camera's reference view: learned from healthy frames, or set by a technician."""

    __tablename__ = "reference_views"

    camera_id: Mapped[int] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True
    )
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    frames_learned: Mapped[int] = mapped_column(default=0)
    locked: Mapped[bool] = mapped_column(default=False)  # set by a technician: no more learning
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80), default="learned")
    # The camera's healthy ranges (noise, sharpness, brightness by hour, colourfulness), learned
    # with the view; see probes.frame.baseline.
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, default=None)


class HourlyRollup(Base):
    """Per camera and hour: availability and mean quality metrics (kept for years)."""

    __tablename__ = "hourly_rollups"

    camera_id: Mapped[int] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    probes: Mapped[int] = mapped_column(default=0)
    successes: Mapped[int] = mapped_column(default=0)
    availability: Mapped[float] = mapped_column(default=0.0)
    metrics: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
