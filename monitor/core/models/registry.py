"""Registry tables: administrative areas, hosts, cameras, maintenance windows, repair crews."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.core.models.base import Base, TimestampMixin, str_enum


class AreaLevel(enum.StrEnum):
    """Levels of the two-tier local administration (since 1 July 2025), plus an optional grouping.

    province → commune level (xã, phường, đặc khu) → village / residential group (thôn, tổ dân
    phố). A province may group communes for its crews and reports (a cluster, "cụm", or a
    former district kept for history); nothing requires that level.
    """

    PROVINCE = "province"  # tỉnh / thành phố trực thuộc TW
    CLUSTER = "cluster"  # optional grouping: cụm xã, or a former district (kind former_district)
    COMMUNE = "commune"  # xã / phường / đặc khu
    VILLAGE = "village"  # thôn / tổ dân phố


# The levels an area's parent may have (the grouping level is optional between province and
# commune).
AREA_PARENT_LEVELS: dict[AreaLevel, tuple[AreaLevel, ...]] = {
    AreaLevel.PROVINCE: (),
    AreaLevel.CLUSTER: (AreaLevel.PROVINCE,),
    AreaLevel.COMMUNE: (AreaLevel.PROVINCE, AreaLevel.CLUSTER),
    AreaLevel.VILLAGE: (AreaLevel.COMMUNE,),
}

# The unit kinds of each level (labels in monitor.core.i18n as "area_kind.<kind>").
AREA_KINDS: dict[AreaLevel, tuple[str, ...]] = {
    AreaLevel.PROVINCE: ("province", "city"),
    AreaLevel.CLUSTER: ("cluster", "former_district"),
    AreaLevel.COMMUNE: ("commune", "ward", "special_zone"),
    AreaLevel.VILLAGE: ("village", "residential_group"),
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
    kind: Mapped[str] = mapped_column(String(24), default="")
    # A merged or renamed unit stays readable in history: it points at the unit that replaced it.
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    retired_on: Mapped[date | None]

    parent: Mapped[Area | None] = relationship(remote_side="Area.id", foreign_keys=[parent_id])
    superseded_by: Mapped[Area | None] = relationship(
        remote_side="Area.id", foreign_keys=[superseded_by_id]
    )

    @property
    def retired(self) -> bool:
        """True for a unit replaced by a merger or renaming."""
        return self.superseded_by_id is not None


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


crew_areas = Table(
    "crew_areas",
    Base.metadata,
    Column("crew_id", ForeignKey("crews.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Crew(Base, TimestampMixin):
    """A repair crew and the areas it covers (communes, clusters, villages: any set)."""

    __tablename__ = "crews"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    webhook_url: Mapped[str | None] = mapped_column(String(1000))

    areas: Mapped[list[Area]] = relationship(secondary=crew_areas, order_by="Area.code")
