"""Validated shapes of registry records: Create / Update / Public per resource."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from monitor.core.models import AreaLevel, HostKind, Role
from probes.registry import PROBE_KINDS

# Query parameters through which cheap cameras take credentials in a URL.
SECRET_QUERY_NAMES = frozenset(
    {"pwd", "password", "passwd", "pass", "pw", "loginpas", "user_password", "token", "auth"}
)

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Port = Annotated[int, Field(ge=1, le=65535)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Phone = Annotated[str, Field(max_length=40, pattern=r"^[0-9+()\-. ]*$")]


class Strict(BaseModel):
    """Unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- areas -----------------------------------------------------------------------------------


class AreaCreate(Strict):
    code: Code
    name: Name
    level: AreaLevel
    kind: str = Field(default="", max_length=24)
    parent_code: str | None = None


class AreaUpdate(Strict):
    name: Name | None = None
    kind: str | None = Field(default=None, max_length=24)


class AreaPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    level: AreaLevel
    kind: str
    parent_id: int | None
    superseded_by_id: int | None = None
    retired_on: date | None = None


class AreaRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str


# --- hosts -----------------------------------------------------------------------------------


class HostCreate(Strict):
    name: Name
    kind: HostKind = HostKind.HOUSEHOLD
    address: str = Field(default="", max_length=400)
    area_code: str
    contact_name: str = Field(default="", max_length=200)
    contact_phone: Phone = ""


class HostUpdate(Strict):
    name: Name | None = None
    kind: HostKind | None = None
    address: str | None = Field(default=None, max_length=400)
    area_code: str | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: Phone | None = None


class HostPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: HostKind
    address: str
    area: AreaRef
    contact_name: str
    contact_phone: str | None


# --- cameras ---------------------------------------------------------------------------------


def _check_profile(value: dict[str, int] | None) -> dict[str, int] | None:
    if value is None:
        return None
    for kind, seconds in value.items():
        if kind not in PROBE_KINDS:
            raise ValueError(f"unknown probe kind {kind!r} (known: {', '.join(PROBE_KINDS)})")
        if not 10 <= int(seconds) <= 7 * 86400:
            raise ValueError(f"interval for {kind} must be between 10 s and 7 days")
    return value


class CameraFields(Strict):
    """Fields shared by create and update (all optional here)."""

    name: Name | None = None
    address: str | None = Field(default=None, max_length=400)
    area_code: str | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    host_id: int | None = None
    vendor: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    serial: str | None = Field(default=None, max_length=100)
    firmware: str | None = Field(default=None, max_length=100)
    onvif_host: str | None = Field(default=None, min_length=1, max_length=255)
    onvif_port: Port | None = None
    rtsp_port: Port | None = None
    rtsp_url: str | None = Field(default=None, max_length=1000)
    snapshot_url: str | None = Field(default=None, max_length=1000)
    username: str | None = Field(default=None, max_length=100)
    password: SecretStr | None = None
    expected_width: int | None = Field(default=None, ge=16, le=16384)
    expected_height: int | None = Field(default=None, ge=16, le=16384)
    expected_codec: str | None = Field(default=None, max_length=20)
    probe_profile: dict[str, int] | None = None
    enabled: bool | None = None
    upstream_device: str | None = Field(default=None, max_length=100)
    importance: int | None = Field(default=None, ge=1, le=5)
    installed_on: date | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = None

    _profile = field_validator("probe_profile")(_check_profile)

    @field_validator("rtsp_url", "snapshot_url")
    @classmethod
    def _no_credentials_in_url(cls, value: str | None) -> str | None:
        from urllib.parse import urlsplit

        if value:
            parts = urlsplit(value)
            if parts.scheme not in {"rtsp", "rtsps", "http", "https"} or not parts.hostname:
                raise ValueError("must be an rtsp:// or http(s):// URL with a host")
            if parts.username or parts.password:
                raise ValueError("must not carry credentials; use the username/password fields")
            names = {pair.split("=", 1)[0].lower() for pair in parts.query.split("&") if pair}
            if names & SECRET_QUERY_NAMES:
                raise ValueError(
                    "must not carry a password in its query; use the username/password fields"
                )
        return value or None


class CameraCreate(CameraFields):
    code: Code
    name: Name
    area_code: str
    onvif_host: str = Field(min_length=1, max_length=255)


class CameraUpdate(CameraFields):
    pass


class CameraPublic(BaseModel):
    """A camera as the API shows it: never the password, only whether one is stored."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    address: str
    area: AreaRef
    latitude: float | None
    longitude: float | None
    host: HostPublic | None
    vendor: str
    model: str
    serial: str
    firmware: str
    onvif_host: str
    onvif_port: int
    rtsp_port: int
    rtsp_url: str | None
    snapshot_url: str | None
    username: str | None
    has_password: bool
    expected_width: int | None
    expected_height: int | None
    expected_codec: str | None
    probe_profile: dict[str, Any]
    enabled: bool
    upstream_device: str
    importance: int
    installed_on: date | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class MaintenanceCreate(Strict):
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(default="", max_length=400)

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _as_utc(cls, value: datetime) -> datetime:
        # Stored as UTC (SQLite keeps no offset); a time without one is Vietnam time.
        from monitor.core.localtime import from_local

        return from_local(value)


class MaintenancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


# --- crews -----------------------------------------------------------------------------------


class CrewCreate(Strict):
    name: Name
    phone: Phone = ""
    email: str = Field(default="", max_length=200)
    webhook_url: str | None = Field(default=None, max_length=1000)
    area_codes: list[str] = Field(default_factory=list)


class CrewUpdate(Strict):
    name: Name | None = None
    phone: Phone | None = None
    email: str | None = Field(default=None, max_length=200)
    webhook_url: str | None = Field(default=None, max_length=1000)
    area_codes: list[str] | None = None


class CrewPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    phone: str
    email: str
    webhook_url: str | None
    areas: list[AreaRef]


# --- users -----------------------------------------------------------------------------------


class UserCreate(Strict):
    username: Annotated[str, Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9_.\-@]+$")]
    full_name: str = Field(default="", max_length=200)
    role: Role
    crew_id: int | None = None
    # Police only: the communes/clusters the user answers for (none: the whole province).
    area_codes: list[str] = Field(default_factory=list)
    password: SecretStr | None = Field(default=None, min_length=8)
    language: str = Field(default="vi", pattern="^(vi|en)$")


class UserUpdate(Strict):
    full_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    crew_id: int | None = None
    area_codes: list[str] | None = None
    password: SecretStr | None = Field(default=None, min_length=8)
    active: bool | None = None
    language: str | None = Field(default=None, pattern="^(vi|en)$")


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    role: Role
    crew_id: int | None
    areas: list[AreaRef] = Field(default_factory=list)
    active: bool
    language: str
    created_at: datetime


class AuditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    user_id: int | None
    username: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, Any]
    remote_addr: str
