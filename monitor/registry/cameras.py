"""Cameras: registration, changes, listing within scope, and their probe targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.crypto import SecretBox
from monitor.core.errors import Conflict, InvalidData, NotFound
from monitor.core.models import Area, Camera, Host, Incident, MaintenanceWindow
from monitor.core.paging import paginate
from monitor.core.settings import Settings
from monitor.registry.areas import get_area
from monitor.registry.network import Network, check_probe_host, check_probe_url
from monitor.registry.schemas import CameraCreate, CameraFields, CameraUpdate, MaintenanceCreate
from probes.result import ProbeTarget

# Columns copied as they are from a validated create/update onto the row.
PLAIN_FIELDS = (
    "name",
    "address",
    "latitude",
    "longitude",
    "vendor",
    "model",
    "serial",
    "firmware",
    "onvif_host",
    "onvif_port",
    "rtsp_port",
    "rtsp_url",
    "snapshot_url",
    "username",
    "expected_width",
    "expected_height",
    "expected_codec",
    "probe_profile",
    "enabled",
    "upstream_device",
    "importance",
    "installed_on",
    "tags",
)


@dataclass(frozen=True, slots=True)
class CameraRules:
    """What a camera write must respect: password encryption and the allowed probe networks."""

    box: SecretBox
    networks: Sequence[Network]

    @classmethod
    def from_settings(cls, settings: Settings) -> CameraRules:
        """Rules configured by the settings."""
        return cls(SecretBox(settings.resolved_secret_key), tuple(settings.probe_networks))

    def check_addresses(self, camera: Camera) -> None:
        """Refuse a camera whose ONVIF host or URLs point outside the allowed networks."""
        check_probe_host(camera.onvif_host, self.networks)
        check_probe_url(camera.rtsp_url, self.networks)
        check_probe_url(camera.snapshot_url, self.networks)


def _base_query(actor: Actor):
    return (
        select(Camera)
        .join(Camera.area)
        .options(joinedload(Camera.area), joinedload(Camera.host).joinedload(Host.area))
        .where(actor.area_filter(Area.path))
    )


def get_camera(session: Session, actor: Actor, code: str) -> Camera:
    """The camera with this code, if the actor may see it."""
    camera = session.scalar(_base_query(actor).where(Camera.code == code))
    if camera is None:
        raise NotFound(f"camera {code!r} not found")
    return camera


def list_cameras(
    session: Session,
    actor: Actor,
    *,
    area_code: str | None = None,
    q: str | None = None,
    enabled: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Camera], int]:
    """Cameras in the actor's scope, filtered by area subtree, text and enabled flag."""
    stmt = _base_query(actor)
    if area_code:
        stmt = stmt.where(Area.path.like(f"{get_area(session, area_code).path}%"))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                Camera.code.ilike(like),
                Camera.name.ilike(like),
                Camera.address.ilike(like),
                Camera.vendor.ilike(like),
                Camera.model.ilike(like),
            )
        )
    if enabled is not None:
        stmt = stmt.where(Camera.enabled == enabled)
    return paginate(session, stmt.order_by(Camera.code), limit, offset)


def apply_fields(
    session: Session, camera: Camera, data: CameraFields, rules: CameraRules, *, only_set: bool
) -> None:
    """Copy validated fields onto a camera row, encrypting the password."""
    values = data.model_dump(exclude_unset=only_set)
    if "area_code" in values and values["area_code"] is not None:
        camera.area = get_area(session, values["area_code"])
    if values.get("host_id") is not None:
        host = session.get(Host, values["host_id"])
        if host is None:
            raise InvalidData(f"host {values['host_id']} not found")
        camera.host = host
    elif "host_id" in values and only_set:
        camera.host = None
    for name in PLAIN_FIELDS:
        if name in values and (values[name] is not None or only_set):
            setattr(camera, name, values[name])
    if data.password is not None:
        secret = data.password.get_secret_value()
        camera.password_encrypted = rules.box.encrypt(secret) if secret else None


def create_camera(session: Session, actor: Actor, data: CameraCreate, rules: CameraRules) -> Camera:
    """Register a camera; its addresses must lie in the allowed probe networks."""
    actor.require_registry_editor()
    if session.scalar(select(Camera.id).where(Camera.code == data.code)):
        raise Conflict(f"camera code {data.code!r} already exists")
    camera = Camera(code=data.code, probe_profile={}, tags=[])
    apply_fields(session, camera, data, rules, only_set=False)
    if not actor.sees_area(camera.area):
        raise InvalidData(f"area {camera.area.code} is outside your areas")
    rules.check_addresses(camera)
    session.add(camera)
    session.flush()
    audit.record(
        session, actor, "create", "camera", camera.code, audit.diff({}, camera_fields(camera))
    )
    return camera


def update_camera(
    session: Session, actor: Actor, code: str, data: CameraUpdate, rules: CameraRules
) -> Camera:
    """Change a camera's registry fields."""
    actor.require_registry_editor()
    camera = get_camera(session, actor, code)
    before = camera_fields(camera)
    apply_fields(session, camera, data, rules, only_set=True)
    rules.check_addresses(camera)
    session.flush()
    audit.record(
        session, actor, "update", "camera", code, audit.diff(before, camera_fields(camera))
    )
    return camera


def delete_camera(session: Session, actor: Actor, code: str) -> None:
    """Remove a camera from the registry."""
    actor.require_registry_editor()
    camera = get_camera(session, actor, code)
    if session.scalar(select(Incident.id).where(Incident.camera_id == camera.id).limit(1)):
        # Police rely on "which camera was down when": keep the history, disable the camera.
        raise Conflict(f"camera {code!r} has outage history; disable it instead of deleting")
    audit.record(session, actor, "delete", "camera", code, audit.diff(camera_fields(camera), {}))
    session.delete(camera)


def add_maintenance(
    session: Session, actor: Actor, code: str, data: MaintenanceCreate
) -> MaintenanceWindow:
    """Schedule a maintenance window for a camera."""
    actor.require_registry_editor()
    if data.ends_at <= data.starts_at:
        raise InvalidData("a maintenance window must end after it starts")
    camera = get_camera(session, actor, code)
    window = MaintenanceWindow(camera=camera, **data.model_dump())
    session.add(window)
    session.flush()
    audit.record(
        session,
        actor,
        "maintenance",
        "camera",
        code,
        {"window": [None, f"{data.starts_at.isoformat()} – {data.ends_at.isoformat()}"]},
    )
    return window


def camera_fields(camera: Camera) -> dict[str, Any]:
    """A camera's fields as the audit log and change detection see them (password redacted)."""
    fields = {name: getattr(camera, name) for name in PLAIN_FIELDS}
    fields["area_id"] = camera.area.id if camera.area is not None else camera.area_id
    fields["host_id"] = camera.host.id if camera.host is not None else None
    fields["password"] = camera.password_encrypted
    return fields


def probe_target(camera: Camera, box: SecretBox) -> ProbeTarget:
    """What the probes need about this camera, with the password decrypted in memory only."""
    return ProbeTarget(
        code=camera.code,
        host=camera.onvif_host,
        onvif_port=camera.onvif_port,
        rtsp_port=camera.rtsp_port,
        username=camera.username,
        password=box.decrypt(camera.password_encrypted) if camera.password_encrypted else None,
        rtsp_url=camera.rtsp_url,
        snapshot_url=camera.snapshot_url,
        expected_width=camera.expected_width,
        expected_height=camera.expected_height,
        expected_codec=camera.expected_codec,
        known_serial=camera.serial or None,
        known_firmware=camera.firmware or None,
    )
