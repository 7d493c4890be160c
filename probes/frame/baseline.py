"""A camera's healthy baseline: its usual noise, focus, brightness by hour and colourfulness.

Learned beside the reference view from the metrics of healthy assessments, so a picture is judged
against what this camera normally delivers: one that is always a little soft or grainy is not
flagged for ever, one that got worse is. A plain JSON-ready dict, so the monitor can store it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SETTLE_SAMPLES = 20  # plain mean over the first samples, then an exponential moving average
SETTLED_WEIGHT = 0.05
HOURLY = ("brightness", "noise", "temporal_noise", "blockiness")  # vary with the light
OVERALL = ("relative_sharpness", "sharpness", "colourfulness", "edge_density")
HOUR_MIN_SAMPLES = 1  # an hour with fewer samples falls back to the neighbouring hours


def _blend(old: float | None, new: float, samples: int) -> float:
    if old is None:
        return new
    weight = 1.0 / (samples + 1) if samples < SETTLE_SAMPLES else SETTLED_WEIGHT
    return old + weight * (new - old)


def update_baseline(
    baseline: Mapping[str, Any] | None, assessment: Any, hour: int | None = None
) -> dict[str, Any]:
    """The baseline with one healthy assessment (an Assessment or its metrics dict) blended in."""
    metrics = getattr(assessment, "metrics", assessment)
    if hour is not None and not 0 <= hour <= 23:
        raise ValueError(f"hour must be 0-23, got {hour}")
    out: dict[str, Any] = {
        "samples": int((baseline or {}).get("samples", 0)),
        "overall": dict((baseline or {}).get("overall", {})),
        "hours": {k: dict(v) for k, v in (baseline or {}).get("hours", {}).items()},
    }
    n = out["samples"]
    for key in (*OVERALL, *HOURLY):
        if key in metrics:
            out["overall"][key] = _blend(out["overall"].get(key), float(metrics[key]), n)
    if hour is not None:
        slot = out["hours"].setdefault(str(hour), {"samples": 0})
        hn = int(slot["samples"])
        for key in HOURLY:
            if key in metrics:
                slot[key] = _blend(slot.get(key), float(metrics[key]), hn)
        slot["samples"] = hn + 1
    out["samples"] = n + 1
    return out


def expected_value(
    baseline: Mapping[str, Any] | None, key: str, hour: int | None = None
) -> float | None:
    """The camera's usual value of metric `key` (at `hour` when known), or None if never seen."""
    if not baseline:
        return None
    if hour is not None and key in HOURLY:
        hours = baseline.get("hours", {})
        for distance in (0, 1, -1, 2, -2):
            slot = hours.get(str((hour + distance) % 24))
            if slot and slot.get("samples", 0) >= HOUR_MIN_SAMPLES and key in slot:
                return float(slot[key])
        if hours:
            return None  # the hour was never seen healthy: no basis for a relative judgement
    value = baseline.get("overall", {}).get(key)
    return None if value is None else float(value)
