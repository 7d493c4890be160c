"""Data types of the simulated fleet: one virtual camera, its identity, picture and faults."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum


class PictureKind(StrEnum):
    """What a simulated camera's picture shows; one healthy view or one clear-cut fault."""

    HEALTHY = "healthy"
    BLURRED = "blurred"
    COVERED = "covered"
    DARK = "dark"
    FROZEN = "frozen"
    TURNED_AWAY = "turned_away"
    NOISY = "noisy"
    NO_SIGNAL = "no_signal"
    OVEREXPOSED = "overexposed"
    COLOR_CAST = "color_cast"


# The fault code (probes.faults.FaultCode value) a picture kind should make an assessor report.
PICTURE_FAULT_CODES: dict[PictureKind, str | None] = {
    PictureKind.HEALTHY: None,
    PictureKind.BLURRED: "blur",
    PictureKind.COVERED: "covered",
    PictureKind.DARK: "too_dark",
    PictureKind.FROZEN: "frozen",
    PictureKind.TURNED_AWAY: "scene_changed",
    PictureKind.NOISY: "noisy",
    PictureKind.NO_SIGNAL: "no_signal",
    PictureKind.OVEREXPOSED: "overexposed",
    PictureKind.COLOR_CAST: "color_cast",
}

# Operations answered with a SOAP fault when a camera has the `onvif_error` fault switched on.
DEFAULT_FAULTY_OPERATIONS = frozenset({"GetProfiles", "GetStreamUri", "GetSnapshotUri"})


@dataclass(slots=True)
class Identity:
    """What GetDeviceInformation reports."""

    manufacturer: str
    model: str
    firmware: str
    serial: str
    hardware_id: str


@dataclass(slots=True)
class CameraFaults:
    """Run-time switchable misbehaviour of one camera (mutate through SimulatedFleet)."""

    offline: bool = False
    # The device expects this password instead of the one in the inventory (never in a repr).
    device_password: str | None = field(default=None, repr=False)
    clock_offset_seconds: float = 0.0
    storage_failure: bool = False
    tamper: bool = False
    # ONVIF operations answered with a SOAP fault (env:Receiver, ter:Action).
    faulty_operations: frozenset[str] = frozenset()
    slow_seconds: float = 0.0

    @property
    def auth(self) -> bool:
        """True when the device refuses the inventory's credentials."""
        return self.device_password is not None

    def labels(self) -> list[str]:
        """Short names of the active faults, for tables and tags."""
        out = []
        if self.offline:
            out.append("offline")
        if self.auth:
            out.append("auth")
        if self.clock_offset_seconds:
            out.append(f"clock{self.clock_offset_seconds:+.0f}s")
        if self.storage_failure:
            out.append("storage")
        if self.tamper:
            out.append("tamper")
        if self.faulty_operations:
            out.append("onvif_error")
        if self.slow_seconds:
            out.append(f"slow{self.slow_seconds:g}s")
        return out


@dataclass(slots=True)
class SimCamera:
    """One virtual camera of the fleet: where it listens, who it claims to be, what it shows."""

    code: str
    name: str
    address: str
    identity: Identity
    onvif_port: int = 8000
    rtsp_port: int = 8554
    username: str = "admin"
    password: str = "camwatch-demo"
    picture: PictureKind = PictureKind.HEALTHY
    faults: CameraFaults = field(default_factory=CameraFaults)
    rtsp: bool = False
    width: int = 640
    height: int = 360
    fps: int = 5
    scene_seed: int = 0
    latitude: float = 15.12
    longitude: float = 108.80
    area_code: str = ""
    street_address: str = ""
    host_name: str = ""
    host_contact: str = ""
    host_phone: str = ""
    importance: int = 3
    upstream_device: str = ""
    tags: tuple[str, ...] = ()
    boot_time: float = field(default_factory=time.time)

    def __repr__(self) -> str:
        # The password must never reach a log line through a repr.
        return f"SimCamera(code={self.code!r}, address={self.address!r})"

    @property
    def onvif_url(self) -> str:
        """Device service URL (no credentials)."""
        return f"http://{self.address}:{self.onvif_port}/onvif/device_service"

    @property
    def rtsp_url(self) -> str:
        """Main stream URL (no credentials); only served when `rtsp` is true."""
        return f"rtsp://{self.address}:{self.rtsp_port}/{self.stream_name}"

    @property
    def stream_name(self) -> str:
        """RTSP path of the main stream."""
        return f"{self.code.lower()}_main"

    @property
    def snapshot_url(self) -> str:
        """HTTP JPEG snapshot URL (no credentials)."""
        return f"http://{self.address}:{self.onvif_port}/snapshot.jpg"

    def device_password(self) -> str:
        """The password the device actually accepts (differs from the inventory under `auth`)."""
        return self.faults.device_password or self.password
