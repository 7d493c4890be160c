"""Health evaluation: from probe results to a camera state, with hysteresis and flapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.core.models import CameraStatus, HealthState, as_utc
from monitor.core.settings import Settings
from probes.faults import DOWN_FAULTS, FaultCode

# Events, not conditions: reported with the probe, but they do not make a camera degraded.
EVENT_FAULTS = frozenset({FaultCode.REBOOTED, FaultCode.DEVICE_REPLACED})


@dataclass(frozen=True, slots=True)
class Observation:
    """One probe's verdict as the evaluator needs it."""

    kind: str
    at: datetime
    faults: tuple[str, ...]

    @property
    def failing(self) -> bool:
        """True when the camera could not deliver footage in this probe."""
        return any(f in DOWN_FAULTS for f in self.faults)


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of state caused by an observation."""

    before: HealthState
    after: HealthState
    at: datetime
    faults: tuple[str, ...]
    became_flapping: bool = False


def current_faults(status: CameraStatus) -> list[str]:
    """Union of the latest faults of every probe kind, in vocabulary order."""
    seen = {f for faults in (status.faults_by_kind or {}).values() for f in faults}
    return [str(f) for f in FaultCode if str(f) in seen]


def _target_state(status: CameraStatus, faults: list[str], settings: Settings) -> HealthState:
    state = status.state
    if status.consecutive_failures >= settings.down_after_failures:
        return HealthState.DOWN
    if state == HealthState.DOWN and status.consecutive_successes < settings.up_after_successes:
        return HealthState.DOWN
    conditions = [f for f in faults if f not in EVENT_FAULTS and f not in DOWN_FAULTS]
    if status.consecutive_failures > 0:
        # A failure or two inside a healthy streak: keep the state until hysteresis decides.
        return state
    return HealthState.DEGRADED if conditions else HealthState.UP


def observe(
    status: CameraStatus, obs: Observation, settings: Settings, *, in_maintenance: bool
) -> Transition | None:
    """Fold one observation into the camera's status; the transition, if the state changed."""
    by_kind = {kind: list(faults) for kind, faults in (status.faults_by_kind or {}).items()}
    by_kind[obs.kind] = list(obs.faults)
    if obs.kind == "tcp" and not obs.failing:
        # The camera answers again: an older "offline" from a slower probe kind is superseded.
        # Refused credentials or a dead stream stay until their own probe says otherwise.
        by_kind = {k: [f for f in v if f != FaultCode.OFFLINE] for k, v in by_kind.items()}
    status.faults_by_kind = by_kind
    status.last_probe_at = obs.at
    # Failing while any probe kind's latest answer says no footage: a good TCP connect does not
    # hide a stream that is refused or dead.
    failing = any(f in DOWN_FAULTS for faults in by_kind.values() for f in faults)
    if failing:
        if status.consecutive_failures == 0:
            status.failing_since = obs.at
        status.consecutive_failures += 1
        status.consecutive_successes = 0
    else:
        if status.consecutive_successes == 0:
            status.passing_since = obs.at
        status.consecutive_successes += 1
        status.consecutive_failures = 0
        status.last_success_at = obs.at
    faults = current_faults(status)
    since = dict(status.fault_since or {})
    status.fault_since = {f: since.get(f, obs.at.isoformat()) for f in faults}
    status.faults = faults

    before = status.state
    after = HealthState.MAINTENANCE if in_maintenance else _target_state(status, faults, settings)
    if after == before:
        _age_flapping(status, obs.at, settings)
        return None
    status.state = after
    status.since = _transition_time(status, before, after, obs.at)
    became_flapping = _note_transition(status, obs.at, settings, before, after)
    return Transition(before, after, status.since, tuple(faults), became_flapping)


def _transition_time(
    status: CameraStatus, before: HealthState, after: HealthState, at: datetime
) -> datetime:
    # Down since the first failed probe of the streak; back from down since the first good one.
    # Between up and degraded the probes keep succeeding (the good streak goes on), so the
    # streak's start says nothing: the change happened at this observation. Using it made a
    # blurred spell start and end at the same instant ("0 minutes").
    if after == HealthState.DOWN and status.failing_since is not None:
        return as_utc(status.failing_since) or at
    if (
        before == HealthState.DOWN
        and after in (HealthState.UP, HealthState.DEGRADED)
        and status.passing_since is not None
    ):
        return as_utc(status.passing_since) or at
    return at


def _note_transition(
    status: CameraStatus, at: datetime, settings: Settings, before: HealthState, after: HealthState
) -> bool:
    if before in (HealthState.UNKNOWN, HealthState.MAINTENANCE) or after == HealthState.MAINTENANCE:
        return False
    recent = [*_recent_transitions(status, at, settings), at.isoformat()]
    status.recent_transitions = recent
    if not status.flapping and len(recent) >= settings.flap_transitions:
        status.flapping = True
        return True
    return False


def _recent_transitions(status: CameraStatus, at: datetime, settings: Settings) -> list[str]:
    window_start = at - timedelta(seconds=settings.flap_window_seconds)
    return [
        t for t in (status.recent_transitions or []) if datetime.fromisoformat(t) >= window_start
    ]


def _age_flapping(status: CameraStatus, at: datetime, settings: Settings) -> None:
    if not status.flapping:
        return
    recent = _recent_transitions(status, at, settings)
    status.recent_transitions = recent
    if not recent:
        status.flapping = False
