"""Health evaluation: hysteresis, degraded pictures, maintenance, flapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.core.models import CameraStatus, HealthState
from monitor.core.settings import Settings
from monitor.outages.evaluator import Observation, observe

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SETTINGS = Settings(
    environment="test",
    down_after_failures=3,
    up_after_successes=2,
    flap_transitions=4,
    flap_window_seconds=3600,
    _env_file=None,
)


def _status() -> CameraStatus:
    return CameraStatus(
        camera_id=1,
        state=HealthState.UNKNOWN,
        since=T0,
        faults=[],
        faults_by_kind={},
        fault_since={},
        recent_transitions=[],
        metrics={},
        identity={},
        consecutive_failures=0,
        consecutive_successes=0,
        flapping=False,
    )


def _feed(
    status: CameraStatus,
    faults_seq: list[tuple[str, ...]],
    start: int = 0,
    kind: str = "tcp",
    maintenance: bool = False,
) -> list:
    transitions = []
    for i, faults in enumerate(faults_seq):
        obs = Observation(kind, T0 + timedelta(minutes=start + i), faults)
        t = observe(status, obs, SETTINGS, in_maintenance=maintenance)
        if t is not None:
            transitions.append(t)
    return transitions


def test_first_good_probe_brings_a_new_camera_up() -> None:
    status = _status()
    [t] = _feed(status, [()])
    assert (t.before, t.after) == (HealthState.UNKNOWN, HealthState.UP)


def test_down_only_after_three_failures_and_dated_from_the_first() -> None:
    status = _status()
    _feed(status, [()])
    assert _feed(status, [("offline",), ("offline",)], start=1) == []
    assert status.state == HealthState.UP
    [t] = _feed(status, [("offline",)], start=3)
    assert t.after == HealthState.DOWN
    assert t.at == T0 + timedelta(minutes=1)  # the outage began at the first failed probe


def test_one_good_probe_does_not_end_an_outage() -> None:
    status = _status()
    _feed(status, [(), ("offline",), ("offline",), ("offline",)])
    assert _feed(status, [()], start=4) == []
    assert status.state == HealthState.DOWN
    [t] = _feed(status, [()], start=5)
    assert t.after == HealthState.UP and t.at == T0 + timedelta(minutes=4)


def test_a_single_failure_between_good_probes_changes_nothing() -> None:
    status = _status()
    assert len(_feed(status, [(), ("offline",), (), ("offline",), ()])) == 1
    assert status.state == HealthState.UP


def test_picture_faults_make_a_reachable_camera_degraded() -> None:
    status = _status()
    _feed(status, [()])
    [t] = _feed(status, [("blur",)], start=1, kind="rtsp")
    assert t.after == HealthState.DEGRADED and t.faults == ("blur",)
    assert _feed(status, [()], start=2, kind="tcp") == []  # tcp is fine, the picture still blurred
    [back] = _feed(status, [()], start=3, kind="rtsp")
    assert back.after == HealthState.UP


def test_reboot_is_reported_but_does_not_degrade() -> None:
    status = _status()
    _feed(status, [()])
    assert _feed(status, [("rebooted",)], start=1, kind="onvif") == []
    assert status.faults == ["rebooted"] and status.state == HealthState.UP


def test_maintenance_overrides_and_raises_no_down() -> None:
    status = _status()
    _feed(status, [()])
    [t] = _feed(status, [("offline",)] * 5, start=1, maintenance=True)
    assert t.after == HealthState.MAINTENANCE
    assert status.state == HealthState.MAINTENANCE


def test_flapping_is_reported_once() -> None:
    status = _status()
    sequence = [()] + ([("offline",)] * 3 + [()] * 2) * 4
    transitions = _feed(status, sequence)
    assert len(transitions) == 9
    assert sum(t.became_flapping for t in transitions) == 1
    assert status.flapping


def test_a_refused_stream_is_not_hidden_by_good_tcp_connects() -> None:
    status = _status()
    _feed(status, [()])
    transitions = []
    for minute in range(1, 8):
        transitions += _feed(status, [()], start=minute, kind="tcp")
        if minute % 2:
            transitions += _feed(status, [("auth_failed",)], start=minute, kind="rtsp")
    assert [t.after for t in transitions] == [HealthState.DOWN]
    assert "auth_failed" in status.faults
    [back] = _feed(status, [(), ()], start=9, kind="rtsp")
    assert back.after == HealthState.UP


def test_a_good_tcp_connect_supersedes_an_older_offline() -> None:
    status = _status()
    _feed(status, [()])
    _feed(status, [("offline",)], start=1, kind="onvif")
    _feed(status, [("offline",)] * 3, start=2, kind="tcp")
    assert status.state == HealthState.DOWN
    [back] = _feed(status, [(), ()], start=5, kind="tcp")
    assert back.after == HealthState.UP and status.faults == []


def test_a_blurred_spell_lasts_from_the_blur_to_the_clear_picture() -> None:
    status = _status()
    _feed(status, [(), (), ()], kind="snapshot")  # up since minute 0, a long good streak
    [blurred] = _feed(status, [("blur",), ("blur",)], start=10, kind="snapshot")
    [clear] = _feed(status, [()], start=30, kind="snapshot")
    assert (blurred.after, blurred.at) == (HealthState.DEGRADED, T0 + timedelta(minutes=10))
    assert (clear.after, clear.at) == (HealthState.UP, T0 + timedelta(minutes=30))
    assert clear.at - blurred.at == timedelta(minutes=20)  # not a zero-length outage
