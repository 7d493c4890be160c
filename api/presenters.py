"""Turning registry rows into API shapes, applying what the viewer may see."""

from __future__ import annotations

from monitor.core.access import Actor
from monitor.core.models import Camera, Host
from monitor.registry.schemas import AreaRef, CameraPublic, HostPublic


def host_public(host: Host, actor: Actor) -> HostPublic:
    """A host; its phone number is hidden from users outside their areas."""
    public = HostPublic.model_validate(host)
    if not actor.sees_area(host.area):
        public.contact_phone = None
    return public


def camera_public(camera: Camera, actor: Actor) -> CameraPublic:
    """A camera without its password; only whether one is stored."""
    return CameraPublic(
        **{
            name: getattr(camera, name)
            for name in CameraPublic.model_fields
            if name not in {"area", "host", "has_password"}
        },
        area=AreaRef.model_validate(camera.area),
        host=host_public(camera.host, actor) if camera.host is not None else None,
        has_password=camera.password_encrypted is not None,
    )
