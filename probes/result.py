"""The common result type every probe returns, and the target every probe is given."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from probes.faults import FaultCode


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """Everything a probe needs to know about one camera; built by the monitor from the registry."""

    code: str
    host: str
    onvif_port: int = 80
    rtsp_port: int = 554
    username: str | None = None
    password: str | None = None
    rtsp_url: str | None = None
    snapshot_url: str | None = None
    expected_width: int | None = None
    expected_height: int | None = None
    expected_codec: str | None = None
    # What the previous probes learned, so a probe can detect changes (serial, boot time).
    known_serial: str | None = None
    known_firmware: str | None = None
    known_boot_time: float | None = None

    def __repr__(self) -> str:
        # The password must never reach a log line through a repr.
        return f"ProbeTarget(code={self.code!r}, host={self.host!r})"


# Longest text kept from any identity field a camera reports (it is an untrusted device).
IDENTITY_FIELD_MAX_CHARS = 256


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """Who the camera says it is, and where it says its stream and snapshot are."""

    manufacturer: str = ""
    model: str = ""
    firmware: str = ""
    serial: str = ""
    hardware_id: str = ""
    stream_uri: str = ""
    snapshot_uri: str = ""
    boot_time: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields that carry a value, JSON-ready."""
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> DeviceIdentity:
        """Rebuild from stored JSON, ignoring unknown keys and bounding every text."""
        data = data or {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if value in (None, ""):
                continue
            if f.name == "boot_time":
                values[f.name] = float(value)
            else:
                values[f.name] = str(value)[:IDENTITY_FIELD_MAX_CHARS]
        return cls(**values)

    def merged_over(self, older: DeviceIdentity) -> DeviceIdentity:
        """This identity, keeping the older value of every field this one does not report."""
        return replace(older, **{k: v for k, v in asdict(self).items() if v not in ("", None)})


@dataclass(slots=True)
class ProbeResult:
    """What one probe of one kind found about one camera; never raised, always returned."""

    kind: str
    ok: bool
    faults: list[FaultCode] = field(default_factory=list)
    reason: str = ""
    duration_seconds: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    # A decoded picture (numpy BGR array) from rtsp/snapshot probes; never serialised.
    frame: Any = field(default=None, repr=False)
    # What the camera said about itself (ONVIF probes).
    identity: DeviceIdentity | None = None
    # True when no request was sent: the prober is pausing after repeated failures, so the
    # result repeats the last failure and is no new evidence.
    backed_off: bool = False

    @classmethod
    def failure(cls, kind: str, fault: FaultCode, reason: str, **details: Any) -> ProbeResult:
        """Build a failed result with one fault code and a human-readable reason."""
        return cls(kind=kind, ok=False, faults=[fault], reason=reason, details=dict(details))

    def with_picture(
        self, faults: Iterable[FaultCode], metrics: Mapping[str, float]
    ) -> ProbeResult:
        """A new result: this one with the picture's verdict added and the pixels dropped."""
        added = [f for f in faults if f not in self.faults]
        reason = self.reason
        if added:
            reason = "; ".join(x for x in (reason, ", ".join(str(f) for f in added)) if x)
        return replace(
            self,
            faults=[*self.faults, *added],
            metrics={
                **self.metrics,
                **{f"frame_{k}": round(float(v), 4) for k, v in metrics.items()},
            },
            reason=reason,
            frame=None,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (for the CLI's --json, the API and storage)."""
        return {
            "kind": self.kind,
            "ok": self.ok,
            "faults": [str(f) for f in self.faults],
            "reason": self.reason,
            "duration_seconds": round(self.duration_seconds, 4),
            "metrics": self.metrics,
            "details": self.details,
            "started_at": self.started_at,
            "identity": self.identity.to_dict() if self.identity else None,
            "backed_off": self.backed_off,
        }


@dataclass(frozen=True, slots=True)
class ProbeConfig:
    """Tunable behaviour of the probes, shared by every camera (from settings)."""

    clock_drift_tolerance_seconds: float = 30.0
    rtsp_transport: str = "tcp"
    # FFmpeg's default stream analysis delays the first frame by ~3 s; these bring it under 1 s.
    rtsp_analyzeduration_us: int = 500_000
    rtsp_probesize_bytes: int = 65_536
    # Blocking RTSP open/decode calls allowed in flight at once (abandoned ones count until their
    # own FFmpeg timeout ends them), so hung cameras cannot pile up threads.
    rtsp_max_decodes: int = 8
    snapshot_max_bytes: int = 10 * 1024 * 1024
    onvif_pull_events: bool = True


class Deadline:
    """An absolute point in monotonic time by which a probe must have returned."""

    __slots__ = ("at",)

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def remaining(self, floor: float = 0.01) -> float:
        """Seconds left (never below `floor`, so it can be passed as a timeout)."""
        return max(floor, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        """True once the deadline has passed."""
        return time.monotonic() >= self.at
