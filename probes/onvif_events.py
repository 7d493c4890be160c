"""Map what a camera reports about itself over ONVIF (events, recording jobs) onto fault codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from probes.faults import FaultCode

TT_NS = "http://www.onvif.org/ver10/schema"

# Topic segment (namespace prefix stripped) -> the fault the camera's own analytics report.
# Topics from the ONVIF Core/Analytics specs and what common firmwares send
# (tns1:VideoSource/ImageTooBlurry/AnalyticsService, tns1:RuleEngine/TamperDetector/Tamper,
# tns1:Device/HardwareFailure/StorageFailure, ...).
TOPIC_FAULTS: dict[str, FaultCode] = {
    "imagetooblurry": FaultCode.BLUR,
    "imagetoodark": FaultCode.TOO_DARK,
    "imagetoobright": FaultCode.OVEREXPOSED,
    "globalscenechange": FaultCode.SCENE_CHANGED,
    "tamper": FaultCode.COVERED,
    "tamperdetector": FaultCode.COVERED,
    "cameratamper": FaultCode.COVERED,
    "signalloss": FaultCode.NO_SIGNAL,
    "storagefailure": FaultCode.STORAGE_FAILURE,
}
# tns1:Monitoring/OperatingTime/LastReboot carries the boot time in its "Status" item.
REBOOT_SEGMENT = "lastreboot"
# Data items whose boolean value says whether the condition is present.
STATE_ITEMS = frozenset(
    {
        "state",
        "istamper",
        "failed",
        "value",
        "isactive",
        "active",
        "issignalloss",
        "istooblurry",
        "istoodark",
        "istoobright",
        "isglobalscenechange",
        "alarm",
    }
)
TRUE_VALUES = frozenset({"true", "1", "on", "active", "yes"})
# A boot time later than the known one by less than this is the same boot (clock jitter).
REBOOT_SLACK_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class CameraEvent:
    """One notification message: its topic, the property operation and its items."""

    topic: str
    data: dict[str, str] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    operation: str = ""
    utc_time: str = ""

    @property
    def segments(self) -> list[str]:
        """Topic path segments, lower-case, without namespace prefixes."""
        return [part.split(":")[-1].lower() for part in self.topic.strip().split("/") if part]


@dataclass(slots=True)
class EventVerdict:
    """What the events say: active faults, the camera's boot time, and a short log."""

    faults: list[FaultCode] = field(default_factory=list)
    boot_time: float | None = None
    rebooted: bool = False
    seen: list[str] = field(default_factory=list)


def event_from_message(topic: str, message: Any) -> CameraEvent:
    """Build a CameraEvent from a topic and a tt:Message (zeep object or lxml element)."""
    if message is None:
        return CameraEvent(topic=topic)
    if not hasattr(message, "tag"):
        return _event_from_zeep(topic, message)
    if message.tag != f"{{{TT_NS}}}Message":
        found = message.find(f".//{{{TT_NS}}}Message")
        message = found if found is not None else message

    def items(part: str) -> dict[str, str]:
        node = message.find(f"{{{TT_NS}}}{part}")
        if node is None:
            return {}
        return {
            str(item.get("Name")): str(item.get("Value"))
            for item in node.iter(f"{{{TT_NS}}}SimpleItem")
            if item.get("Name") is not None
        }

    return CameraEvent(
        topic=topic,
        data=items("Data"),
        source=items("Source"),
        operation=str(message.get("PropertyOperation") or ""),
        utc_time=str(message.get("UtcTime") or ""),
    )


def _event_from_zeep(topic: str, message: Any) -> CameraEvent:
    """zeep parses tt:Message into an object when the events WSDL describes it."""

    def items(part: Any) -> dict[str, str]:
        return {
            str(item.Name): str(item.Value)
            for item in (getattr(part, "SimpleItem", None) or [])
            if getattr(item, "Name", None) is not None
        }

    utc = getattr(message, "UtcTime", None)
    return CameraEvent(
        topic=topic,
        data=items(getattr(message, "Data", None)),
        source=items(getattr(message, "Source", None)),
        operation=str(getattr(message, "PropertyOperation", None) or ""),
        utc_time=utc.isoformat() if isinstance(utc, dt.datetime) else str(utc or ""),
    )


def events_from_pull(reply: Any) -> list[CameraEvent]:
    """Turn a zeep PullMessages reply into CameraEvents (topic text + tt:Message element)."""
    events = []
    for note in getattr(reply, "NotificationMessage", None) or []:
        topic = getattr(getattr(note, "Topic", None), "_value_1", None) or ""
        message = getattr(getattr(note, "Message", None), "_value_1", None)
        events.append(event_from_message(str(topic), message))
    return events


def _is_active(event: CameraEvent) -> bool:
    if event.operation.lower() == "deleted":
        return False
    states = [v for k, v in event.data.items() if k.lower() in STATE_ITEMS]
    if not states:
        # A stateless alarm topic (no boolean item) means the condition just happened.
        return True
    return any(v.strip().lower() in TRUE_VALUES for v in states)


def _parse_time(value: str) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def map_events(
    events: Iterable[CameraEvent], *, known_boot_time: float | None = None
) -> EventVerdict:
    """Fold events (oldest first) into active faults and the camera's last boot time."""
    verdict = EventVerdict()
    # The latest message per (condition, source) decides: "true" then "false" is cleared.
    state: dict[tuple[FaultCode, tuple[tuple[str, str], ...]], bool] = {}
    for event in events:
        segments = event.segments
        verdict.seen.append(event.topic)
        if REBOOT_SEGMENT in segments:
            value = event.data.get("Status") or next(iter(event.data.values()), "")
            boot = _parse_time(value) if value else None
            if boot is not None:
                verdict.boot_time = boot
            continue
        fault = next((TOPIC_FAULTS[s] for s in reversed(segments) if s in TOPIC_FAULTS), None)
        if fault is None:
            continue
        state[(fault, tuple(sorted(event.source.items())))] = _is_active(event)
    for (fault, _source), active in state.items():
        if active and fault not in verdict.faults:
            verdict.faults.append(fault)
    if (
        verdict.boot_time is not None
        and known_boot_time is not None
        and verdict.boot_time > known_boot_time + REBOOT_SLACK_SECONDS
    ):
        verdict.rebooted = True
        verdict.faults.append(FaultCode.REBOOTED)
    return verdict


def recording_jobs_fault(job_states: Iterable[tuple[str, str]]) -> FaultCode | None:
    """storage_failure when a job meant to record (mode Active) is in state Error or stopped."""
    for mode, state in job_states:
        if mode.strip().lower() == "active" and state.strip().lower() in ("error", "idle"):
            return FaultCode.STORAGE_FAILURE
    return None
