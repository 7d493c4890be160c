"""The one vocabulary of fault codes used by probes, API, metrics, tickets and exports."""

from enum import StrEnum


class FaultCode(StrEnum):
    """A named way a camera can be unhealthy (see shared/DESIGN.md)."""

    OFFLINE = "offline"
    AUTH_FAILED = "auth_failed"
    ONVIF_ERROR = "onvif_error"
    STREAM_ERROR = "stream_error"
    NO_SIGNAL = "no_signal"
    BLUR = "blur"
    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    COVERED = "covered"
    FROZEN = "frozen"
    SCENE_CHANGED = "scene_changed"
    NOISY = "noisy"
    COLOR_CAST = "color_cast"
    CLOCK_DRIFT = "clock_drift"
    STORAGE_FAILURE = "storage_failure"
    RESOLUTION_MISMATCH = "resolution_mismatch"
    DEVICE_REPLACED = "device_replaced"
    REBOOTED = "rebooted"


# Faults that mean the camera cannot deliver footage at all (state "down");
# every other fault leaves it reachable but degraded.
DOWN_FAULTS = frozenset({FaultCode.OFFLINE, FaultCode.AUTH_FAILED, FaultCode.STREAM_ERROR})

# Faults judged from the picture itself by probes.frame.assess.
PICTURE_FAULTS = frozenset(
    {
        FaultCode.NO_SIGNAL,
        FaultCode.BLUR,
        FaultCode.TOO_DARK,
        FaultCode.OVEREXPOSED,
        FaultCode.COVERED,
        FaultCode.FROZEN,
        FaultCode.SCENE_CHANGED,
        FaultCode.NOISY,
        FaultCode.COLOR_CAST,
    }
)
