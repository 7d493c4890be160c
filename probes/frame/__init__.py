"""Frame-quality assessment: pure functions on decoded pictures (no capture, no I/O)."""

from probes.frame.baseline import expected_value, update_baseline
from probes.frame.judge import Assessment, assess, deciding_metrics
from probes.frame.metrics import (
    blockiness,
    brightness,
    changed_share,
    clipped_share,
    colour_balance,
    colour_cast,
    colourfulness,
    contrast,
    edge_density,
    frame_similarity,
    generated_share,
    live_region_share,
    noise_sigma,
    relative_sharpness,
    scene_similarity,
    sharpness,
    temporal_noise,
    uniform_share,
)
from probes.frame.reference import fit_reference, learn_reference, update_reference

__all__ = [
    "Assessment",
    "assess",
    "blockiness",
    "brightness",
    "changed_share",
    "clipped_share",
    "colour_balance",
    "colour_cast",
    "colourfulness",
    "contrast",
    "deciding_metrics",
    "edge_density",
    "expected_value",
    "fit_reference",
    "frame_similarity",
    "generated_share",
    "learn_reference",
    "live_region_share",
    "noise_sigma",
    "relative_sharpness",
    "scene_similarity",
    "sharpness",
    "temporal_noise",
    "uniform_share",
    "update_baseline",
    "update_reference",
]
