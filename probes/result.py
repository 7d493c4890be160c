"""The common result type every probe returns, and the target every probe is given."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
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

    @classmethod
    def failure(cls, kind: str, fault: FaultCode, reason: str, **details: Any) -> ProbeResult:
        """Build a failed result with one fault code and a human-readable reason."""
        return cls(kind=kind, ok=False, faults=[fault], reason=reason, details=dict(details))

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
