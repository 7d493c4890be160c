"""Mapping what a camera reports over ONVIF events onto fault codes (ipycam offers no events).

The messages are shaped like real PullMessages replies (ONVIF Core 9.x, Hikvision/Dahua/Axis
topics), parsed with lxml the same way zeep hands them to the probe.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from probes.faults import FaultCode
from probes.onvif_events import (
    CameraEvent,
    event_from_message,
    map_events,
    recording_jobs_fault,
)

TT = "http://www.onvif.org/ver10/schema"


def message(
    op: str, source: dict[str, str], data: dict[str, str], utc: str = "2026-11-26T01:00:00Z"
) -> etree._Element:
    def items(values: dict[str, str]) -> str:
        return "".join(f'<tt:SimpleItem Name="{k}" Value="{v}"/>' for k, v in values.items())

    xml = (
        f'<tt:Message xmlns:tt="{TT}" UtcTime="{utc}" PropertyOperation="{op}">'
        f"<tt:Source>{items(source)}</tt:Source><tt:Key/>"
        f"<tt:Data>{items(data)}</tt:Data></tt:Message>"
    )
    return etree.fromstring(xml)


def ev(
    topic: str,
    op: str = "Changed",
    data: dict[str, str] | None = None,
    source: dict[str, str] | None = None,
) -> CameraEvent:
    return event_from_message(
        topic, message(op, source or {"VideoSourceConfigurationToken": "VSC_1"}, data or {})
    )


def test_message_items_are_read() -> None:
    event = ev("tns1:VideoSource/ImageTooBlurry/AnalyticsService", "Initialized", {"State": "true"})

    assert event.data == {"State": "true"}
    assert event.source == {"VideoSourceConfigurationToken": "VSC_1"}
    assert event.operation == "Initialized"
    assert event.utc_time == "2026-11-26T01:00:00Z"


@pytest.mark.parametrize(
    ("topic", "data", "fault"),
    [
        ("tns1:VideoSource/ImageTooBlurry/AnalyticsService", {"State": "true"}, FaultCode.BLUR),
        ("tns1:VideoSource/ImageTooDark/ImagingService", {"State": "true"}, FaultCode.TOO_DARK),
        (
            "tns1:VideoSource/ImageTooBright/AnalyticsService",
            {"State": "true"},
            FaultCode.OVEREXPOSED,
        ),
        (
            "tns1:VideoSource/GlobalSceneChange/AnalyticsService",
            {"State": "true"},
            FaultCode.SCENE_CHANGED,
        ),
        ("tns1:RuleEngine/TamperDetector/Tamper", {"IsTamper": "true"}, FaultCode.COVERED),
        ("tns1:VideoSource/SignalLoss", {"State": "true"}, FaultCode.NO_SIGNAL),
        (
            "tns1:Device/HardwareFailure/StorageFailure",
            {"Failed": "true"},
            FaultCode.STORAGE_FAILURE,
        ),
    ],
)
def test_camera_reported_condition_maps_to_fault(
    topic: str, data: dict[str, str], fault: FaultCode
) -> None:
    assert map_events([ev(topic, "Initialized", data)]).faults == [fault]


def test_condition_reported_false_is_no_fault() -> None:
    verdict = map_events([ev("tns1:RuleEngine/TamperDetector/Tamper", data={"IsTamper": "false"})])

    assert verdict.faults == []


def test_latest_state_wins_per_source() -> None:
    topic = "tns1:VideoSource/ImageTooBlurry/AnalyticsService"
    cleared = [ev(topic, data={"State": "true"}), ev(topic, data={"State": "false"})]
    other_source = ev(
        topic, data={"State": "true"}, source={"VideoSourceConfigurationToken": "VSC_2"}
    )

    assert map_events(cleared).faults == []
    assert map_events([*cleared, other_source]).faults == [FaultCode.BLUR]


def test_deleted_property_is_cleared() -> None:
    topic = "tns1:VideoSource/GlobalSceneChange/AnalyticsService"
    events = [ev(topic, data={"State": "true"}), ev(topic, "Deleted", {"State": "true"})]

    assert map_events(events).faults == []


def test_unrelated_topics_are_ignored() -> None:
    events = [
        ev("tns1:VideoSource/MotionAlarm", data={"State": "true"}),
        ev("tns1:RuleEngine/CellMotionDetector/Motion", data={"IsMotion": "true"}),
        ev("tns1:Device/Trigger/DigitalInput", data={"LogicalState": "true"}),
    ]

    verdict = map_events(events)

    assert verdict.faults == []
    assert len(verdict.seen) == 3


def test_last_reboot_after_known_boot_is_rebooted() -> None:
    known = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC).timestamp()
    reboot = ev(
        "tns1:Monitoring/OperatingTime/LastReboot",
        "Initialized",
        {"Status": "2026-11-26T00:30:00Z"},
        source={},
    )

    verdict = map_events([reboot], known_boot_time=known)

    assert verdict.rebooted
    assert verdict.faults == [FaultCode.REBOOTED]
    assert verdict.boot_time == dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC).timestamp()


def test_same_boot_is_not_rebooted() -> None:
    boot = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    reboot = ev(
        "tns1:Monitoring/OperatingTime/LastReboot",
        "Initialized",
        {"Status": boot.isoformat().replace("+00:00", "Z")},
        source={},
    )

    verdict = map_events([reboot], known_boot_time=boot.timestamp())
    first_seen = map_events([reboot], known_boot_time=None)

    assert verdict.faults == [] and not verdict.rebooted
    assert first_seen.faults == [] and first_seen.boot_time == boot.timestamp()


def test_recording_job_states() -> None:
    assert recording_jobs_fault([("Active", "Active")]) is None
    assert recording_jobs_fault([("Idle", "Idle")]) is None
    assert recording_jobs_fault([("Active", "Error")]) == FaultCode.STORAGE_FAILURE
    assert recording_jobs_fault([("Active", "Active"), ("Active", "Idle")]) == (
        FaultCode.STORAGE_FAILURE
    )
