"""assess() on real photographs seen through a simulated camera: each fault, and no crying wolf."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from bench.judgement_cases import (
    HOME,
    Camera,
    _no_signal,
    _photo,
    _snow,
    _with_sky,
    _world,
    blur,
    cover,
)
from probes.faults import FaultCode
from probes.frame import Assessment, assess, learn_reference


@pytest.fixture(scope="module")
def cam() -> Camera:
    """A camera looking at the coffee photo, aimed at its home position."""
    return Camera("coffee", _world(_photo("coffee")), seed=7, camera_id=1)


@pytest.fixture(scope="module")
def reference(cam: Camera) -> np.ndarray:
    """The camera's reference view, learned from three healthy grabs."""
    return learn_reference([cam.grab() for _ in range(3)])


def judge(cam: Camera, reference: np.ndarray | None, **grab: object) -> list[FaultCode]:
    """Faults of one grab judged against the grab before it (same conditions) and the reference."""
    previous = cam.grab(**grab)
    return assess(cam.grab(**grab), previous, reference).faults


def test_a_healthy_live_scene_has_no_fault(cam, reference) -> None:
    assert judge(cam, reference) == []


@pytest.mark.parametrize(
    ("name", "grab"),
    [
        ("evening light", {"gain": 0.42, "noise": 3.0, "gamma": 1.25}),
        ("dusk", {"gain": 0.25, "noise": 3.0, "gamma": 1.6}),
        ("greyscale infrared night", {"gain": 0.55, "noise": 3.5, "grey": True, "gamma": 1.3}),
    ],
)
def test_usable_low_light_is_not_a_fault(cam, reference, name, grab) -> None:
    assert judge(cam, reference, **grab) == [], name


def test_small_camera_shake_is_not_a_scene_change(cam, reference) -> None:
    for dx, dy in ((4, -3), (-7, 5)):
        shaken = cam.view((HOME[0] + dx, HOME[1] + dy))
        assert assess(cam.grab(shaken), cam.grab(), reference).faults == []


def test_no_video_screen_is_no_signal_only(cam, reference) -> None:
    for screen in range(3):
        current = _no_signal(screen, cam, 100)
        previous = _no_signal(screen, cam, 99)
        assert assess(current, previous, reference).faults == [FaultCode.NO_SIGNAL]


@pytest.mark.parametrize("sigma", [4.0, 10.0])
def test_out_of_focus_is_blur(cam, reference, sigma) -> None:
    optical = blur(sigma)(cam.view(), cam.rng)
    assert assess(cam.grab(optical), cam.grab(optical), reference).faults == [FaultCode.BLUR]


def test_a_fogged_lens_is_blur_not_a_colour_cast(cam, reference) -> None:
    optical = blur(5.0, fog=0.5)(cam.view(), cam.rng)
    assert assess(cam.grab(optical), cam.grab(optical), reference).faults == [FaultCode.BLUR]


def test_failed_infrared_at_night_is_too_dark(cam, reference) -> None:
    assert judge(cam, reference, gain=0.05, noise=2.5) == [FaultCode.TOO_DARK]


@pytest.mark.parametrize("grab", [{"gain": 2.6, "offset": 40.0}, {"gain": 0.35, "offset": 175.0}])
def test_glare_and_washed_out_are_overexposed(cam, reference, grab) -> None:
    assert judge(cam, reference, **grab) == [FaultCode.OVEREXPOSED]


@pytest.mark.parametrize("region", ["full", "left60", "corner50", "bottom45"])
def test_a_covered_lens_is_covered(cam, reference, region) -> None:
    optical = cover(region, 80.0)(cam.view(), cam.rng)
    assert assess(cam.grab(optical), cam.grab(optical), reference).faults == [FaultCode.COVERED]


def test_sky_in_the_reference_view_is_not_covered() -> None:
    rng = np.random.default_rng(3)
    sky_cam = Camera("chelsea+sky", _with_sky(_world(_photo("chelsea")), rng), 11, 2)
    sky_reference = learn_reference([sky_cam.grab() for _ in range(3)])
    assert judge(sky_cam, sky_reference) == []
    assert judge(sky_cam, sky_reference, gain=0.42, noise=3.0, gamma=1.25) == []
    # ... but covering the part of the view that has detail still is.
    optical = cover("right40", 70.0)(sky_cam.view(), sky_cam.rng)
    faults = assess(sky_cam.grab(optical), sky_cam.grab(optical), sky_reference).faults
    assert faults == [FaultCode.COVERED]


def test_a_repeated_buffer_is_frozen_even_with_its_clock_ticking(cam, reference) -> None:
    raw = cam.grab(osd=False)
    buffer = cam.stamp(raw)
    assert assess(buffer, buffer.copy(), reference).faults == [FaultCode.FROZEN]
    ticking = assess(cam.stamp(raw, 501), cam.stamp(raw, 500), reference)
    assert ticking.faults == [FaultCode.FROZEN]
    assert ticking.metrics["changed_share"] > 0  # the clock did change


@pytest.mark.parametrize(
    ("name", "offset", "angle"),
    [("panned", (0, HOME[1]), 0.0), ("tilted", (HOME[0], 0), 0.0), ("rotated", HOME, 12.0)],
)
def test_a_turned_camera_is_scene_changed(cam, reference, name, offset, angle) -> None:
    view = cam.view(offset, angle)
    faults = assess(cam.grab(view), cam.grab(view), reference).faults
    assert faults == [FaultCode.SCENE_CHANGED], name


def test_heavy_noise_and_snow_are_noisy(cam, reference) -> None:
    assert judge(cam, reference, noise=20.0) == [FaultCode.NOISY]
    assert assess(_snow(cam), _snow(cam), reference).faults == [FaultCode.NOISY]


def test_stuck_ir_cut_filter_is_a_colour_cast(cam, reference) -> None:
    assert judge(cam, reference, balance=(1.22, 0.8, 1.3)) == [FaultCode.COLOR_CAST]


def test_without_a_reference_only_the_unmistakable_is_reported(cam) -> None:
    # A warm scene, a sky: nothing says they are wrong without the camera's reference view.
    assert judge(cam, None) == []
    sky_cam = Camera("sky", _with_sky(_world(_photo("rocket")), np.random.default_rng(1)), 5, 3)
    assert judge(sky_cam, None) == []
    optical = cover("full", 90.0)(cam.view(), cam.rng)
    assert assess(cam.grab(optical)).faults == [FaultCode.COVERED]
    assert judge(cam, None, gain=0.05, noise=2.5) == [FaultCode.TOO_DARK]


def test_greyscale_frames_and_other_aspect_ratios_are_judged(cam) -> None:
    grey = cv2.cvtColor(cam.grab(), cv2.COLOR_BGR2GRAY)
    grey_before = cv2.cvtColor(cam.grab(), cv2.COLOR_BGR2GRAY)
    grey_ref = learn_reference([grey_before])
    assert assess(grey, grey_before, grey_ref).faults == []
    assert assess(grey, grey.copy(), grey_ref).faults == [FaultCode.FROZEN]
    vga = cv2.resize(cam.grab(), (640, 480), interpolation=cv2.INTER_AREA)
    assert assess(vga, cv2.resize(cam.grab(), (640, 480)), None).faults == []


def test_assess_checks_its_inputs(cam, reference) -> None:
    frame = cam.grab()
    with pytest.raises(ValueError, match="uint8"):
        assess(frame.astype(np.float32))
    with pytest.raises(ValueError, match="differ in shape"):
        assess(frame, frame[:360], reference)
    with pytest.raises(ValueError, match="reference"):
        assess(frame, None, np.zeros((10, 10, 5), np.uint8))


def test_assessment_serialises_as_the_cli_and_api_expect(cam, reference) -> None:
    result = assess(cam.grab(), cam.grab(), reference)
    assert isinstance(result, Assessment) and result.ok
    as_dict = json.loads(json.dumps(result.to_dict()))
    assert set(as_dict) == {"faults", "metrics"}
    assert as_dict["faults"] == []
    assert {"brightness", "noise", "live_share", "scene_similarity"} <= set(as_dict["metrics"])
    with pytest.raises(AttributeError):
        result.faults = []


def test_a_camera_rotated_on_its_bracket_is_scene_changed_without_moving_its_centre() -> None:
    astro = Camera("astronaut", _world(_photo("astronaut")), seed=9, camera_id=4)
    astro_reference = learn_reference([astro.grab() for _ in range(3)])
    view = astro.view(HOME, 12.0)
    result = assess(astro.grab(view), astro.grab(view), astro_reference)
    assert result.faults == [FaultCode.SCENE_CHANGED]
    assert result.metrics["scene_shift"] < 0.03  # the view did not slide: its content turned
