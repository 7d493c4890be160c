"""Registry tables: administrative areas, hosts, cameras, maintenance windows, repair crews."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.core.models.base import Base, TimestampMixin, str_enum


class AreaLevel(enum.StrEnum):
    """Vietnamese administrative levels, province down to village/residential group."""

    PROVINCE = "province"  # tỉnh / thành phố trực thuộc TW
    DISTRICT = "district"  # huyện / thị xã / thành phố
    COMMUNE = "commune"  # xã / phường / thị trấn
    VILLAGE = "village"  # thôn / tổ dân phố


AREA_PARENT_LEVEL = {
    AreaLevel.PROVINCE: None,
    AreaLevel.DISTRICT: AreaLevel.PROVINCE,
    AreaLevel.COMMUNE: AreaLevel.DISTRICT,
    AreaLevel.VILLAGE: AreaLevel.COMMUNE,
}


class Area(Base, TimestampMixin):
    """An administrative area; `path` holds the ids from the province down for subtree queries."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[AreaLevel] = mapped_column(str_enum(AreaLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")

    parent: Mapped[Area | None] = relationship(remote_side="Area.id")


class HostKind(enum.StrEnum):
    """Who hosts a camera."""

    HOUSEHOLD = "household"
    AGENCY = "agency"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    OTHER = "other"


class Host(Base, TimestampMixin):
    """The household, agency, enterprise or school that hosts cameras."""

    __tablename__ = "hosts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[HostKind] = mapped_column(str_enum(HostKind), default=HostKind.HOUSEHOLD)
    address: Mapped[str] = mapped_column(String(400), default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")

    area: Mapped[Area] = relationship()

    __table_args__ = (Index("ix_hosts_name_area", "name", "area_id", unique=True),)


class Camera(Base, TimestampMixin):
    """A registered camera. The password is stored only encrypted (see monitor.core.crypto)."""

    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400), default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    host_id: Mapped[int | None] = mapped_column(
        ForeignKey("hosts.id", ondelete="SET NULL"), index=True
    )
    vendor: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    serial: Mapped[str] = mapped_column(String(100), default="")
    firmware: Mapped[str] = mapped_column(String(100), default="")
    onvif_host: Mapped[str] = mapped_column(String(255))
    onvif_port: Mapped[int] = mapped_column(default=80)
    rtsp_port: Mapped[int] = mapped_column(default=554)
    rtsp_url: Mapped[str | None] = mapped_column(String(1000))
    snapshot_url: Mapped[str | None] = mapped_column(String(1000))
    username: Mapped[str | None] = mapped_column(String(100))
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    expected_width: Mapped[int | None]
    expected_height: Mapped[int | None]
    expected_codec: Mapped[str | None] = mapped_column(String(20))
    # Seconds between probes per kind, overriding the defaults: {"tcp": 60, "rtsp": 900, ...}.
    probe_profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(default=True)
    upstream_device: Mapped[str] = mapped_column(String(100), default="", index=True)
    importance: Mapped[int] = mapped_column(default=3)  # 1 back lane .. 5 school gate/crossroads
    installed_on: Mapped[date | None]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)

    area: Mapped[Area] = relationship()
    host: Mapped[Host | None] = relationship()
    maintenance_windows: Mapped[list[MaintenanceWindow]] = relationship(
        back_populates="camera",
        cascade="all, delete-orphan",
        order_by="MaintenanceWindow.starts_at",
    )


class MaintenanceWindow(Base):
    """A time range in which a camera is probed but raises no outage or ticket."""

    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(400), default="")

    camera: Mapped[Camera] = relationship(back_populates="maintenance_windows")


crew_districts = Table(
    "crew_districts",
    Base.metadata,
    Column("crew_id", ForeignKey("crews.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Crew(Base, TimestampMixin):
    """A repair crew and the districts it covers."""

    __tablename__ = "crews"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    webhook_url: Mapped[str | None] = mapped_column(String(1000))

    districts: Mapped[list[Area]] = relationship(secondary=crew_districts, order_by="Area.code")
