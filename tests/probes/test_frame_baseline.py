"""A camera's healthy baseline: an always-grainy camera is not flagged for ever, a worse one is."""

from __future__ import annotations

import numpy as np
import pytest

from bench.judgement_cases import Camera, Scene, _scene_world, h264_keyframe
from probes.faults import FaultCode
from probes.frame import assess, expected_value, learn_reference, update_baseline

NIGHT = 22


@pytest.fixture(scope="module")
def cam() -> Camera:
    """A camera on fine gravel, whose cheap sensor is grainy at night (IR, greyscale)."""
    scene = Scene("gravel", "gravel", texture_scale=1.0, tint=(0.8, 0.9, 1.0))
    return Camera("gravel", _scene_world(scene, np.random.default_rng(3)), seed=11, camera_id=5)


def night(cam: Camera, noise: float) -> np.ndarray:
    """One night grab through the camera's H.264 encoder at 2 Mbit/s."""
    return h264_keyframe(cam.grab(gain=0.55, noise=noise, grey=True, gamma=1.3), 2_000_000)


def test_expected_value_falls_back_to_neighbouring_hours_and_refuses_bad_hours() -> None:
    baseline = update_baseline(None, {"temporal_noise": 3.0, "sharpness": 50.0}, 21)
    assert expected_value(baseline, "temporal_noise", 22) == pytest.approx(3.0)
    assert expected_value(baseline, "temporal_noise", 10) is None  # never seen by day
    assert expected_value(baseline, "sharpness", 10) == pytest.approx(50.0)
    assert expected_value(None, "noise", 3) is None
    with pytest.raises(ValueError):
        update_baseline(None, {"noise": 1.0}, 24)


def test_a_grainy_camera_is_judged_against_its_own_grain(cam: Camera) -> None:
    reference = learn_reference([night(cam, 11.0) for _ in range(3)])
    previous = night(cam, 11.0)
    current = night(cam, 11.0)
    # Without its baseline the grain reads as heavy noise.
    alone = assess(current, previous, reference, hour=NIGHT)
    assert FaultCode.NOISY in alone.faults, alone.to_dict()
    baseline = None
    for _ in range(4):  # a few nights of healthy probes (learned while the camera was set up)
        a, b = night(cam, 11.0), night(cam, 11.0)
        baseline = update_baseline(baseline, assess(a, b, reference).metrics, NIGHT)
    usual = assess(current, previous, reference, baseline, NIGHT)
    assert usual.faults == [], usual.to_dict()
    # The same camera got worse (the sensor fails): flagged against its own baseline.
    worse = assess(night(cam, 26.0), night(cam, 26.0), reference, baseline, NIGHT)
    assert FaultCode.NOISY in worse.faults, worse.to_dict()
