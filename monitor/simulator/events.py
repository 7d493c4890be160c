"""ONVIF event state of a simulated camera and PullPoint subscriptions over it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from monitor.simulator.model import SimCamera
from monitor.simulator.soap import RECORDING_JOB_TOKEN, Notification, xsd_datetime

_ids = itertools.count(1)
DEFAULT_SUBSCRIPTION_SECONDS = 60.0
# A camera keeps a bounded number of pull points; the oldest is dropped beyond it.
MAX_SUBSCRIPTIONS = 8


def _bool(value: bool) -> str:
    return "true" if value else "false"


def current_state(cam: SimCamera, camera_now: dt.datetime) -> dict[str, Notification]:
    """Every property event the camera publishes, keyed by topic, with its current value."""
    boot = dt.datetime.fromtimestamp(cam.boot_time, dt.UTC) + (camera_now - dt.datetime.now(dt.UTC))
    f = cam.faults
    return {
        "tns1:Device/HardwareFailure/StorageFailure": Notification(
            "tns1:Device/HardwareFailure/StorageFailure",
            (("Token", "SD_1"),),
            (("Failed", _bool(f.storage_failure)),),
        ),
        "tns1:RecordingConfig/JobState": Notification(
            "tns1:RecordingConfig/JobState",
            (("RecordingJobToken", RECORDING_JOB_TOKEN),),
            (("State", "Error" if f.storage_failure else "Active"),),
        ),
        "tns1:RuleEngine/TamperDetector/Tamper": Notification(
            "tns1:RuleEngine/TamperDetector/Tamper",
            (
                ("VideoSourceConfigurationToken", "VideoSourceConfig_1"),
                ("VideoAnalyticsConfigurationToken", "VideoAnalyticsConfig_1"),
                ("Rule", "TamperDetectorRule"),
            ),
            (("IsTamper", _bool(f.tamper)),),
        ),
        "tns1:Monitoring/OperatingTime/LastReboot": Notification(
            "tns1:Monitoring/OperatingTime/LastReboot",
            (),
            (("Status", xsd_datetime(boot)),),
        ),
    }


@dataclass(slots=True)
class Subscription:
    """One PullPoint: what it has delivered so far and when it expires."""

    id: int
    until: dt.datetime
    delivered: dict[str, Notification] = field(default_factory=dict)

    def take(self, state: dict[str, Notification], limit: int) -> list[Notification]:
        """Messages for properties not yet delivered (Initialized) or changed since (Changed)."""
        out: list[Notification] = []
        for key, note in state.items():
            if len(out) >= limit:
                break
            seen = self.delivered.get(key)
            if seen is not None and seen.data == note.data:
                continue
            operation = "Initialized" if seen is None else "Changed"
            out.append(Notification(note.topic, note.source, note.data, operation))
            self.delivered[key] = note
        return out


def new_subscription(
    subs: dict[int, Subscription], now: dt.datetime, seconds: float
) -> Subscription:
    """Create a subscription, evicting expired ones and the oldest beyond the limit."""
    for sid in [s.id for s in subs.values() if s.until < now]:
        del subs[sid]
    while len(subs) >= MAX_SUBSCRIPTIONS:
        del subs[min(subs)]
    sub = Subscription(next(_ids), now + dt.timedelta(seconds=seconds))
    subs[sub.id] = sub
    return sub


def parse_duration(text: str | None, now: dt.datetime) -> float:
    """Seconds from an xsd:duration like PT60S / PT1M or an absolute xsd:dateTime."""
    if not text:
        return DEFAULT_SUBSCRIPTION_SECONDS
    value = text.strip()
    if value.startswith("PT"):
        seconds, number = 0.0, ""
        for ch in value[2:]:
            if ch.isdigit() or ch == ".":
                number += ch
            elif number:
                seconds += float(number) * {"H": 3600, "M": 60, "S": 1}.get(ch, 0)
                number = ""
        return seconds or DEFAULT_SUBSCRIPTION_SECONDS
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return DEFAULT_SUBSCRIPTION_SECONDS
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - now).total_seconds(), 1.0)
