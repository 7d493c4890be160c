"""Picture metrics on fixed-seed arrays and real photographs (scikit-image's bundled data)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from probes.frame import (
    brightness,
    changed_share,
    clipped_share,
    colour_balance,
    colour_cast,
    colourfulness,
    contrast,
    edge_density,
    fit_reference,
    frame_similarity,
    learn_reference,
    live_region_share,
    noise_sigma,
    relative_sharpness,
    scene_similarity,
    sharpness,
    uniform_share,
    update_reference,
)
from probes.frame.metrics import correlation, view_alignment

HD = (720, 1280)


def photo(name: str = "astronaut") -> np.ndarray:
    """A real photograph as a 1280 x 720 BGR frame, as OpenCV would decode it."""
    rgb = getattr(data, name)()
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if rgb.ndim == 3 else cv2.merge([rgb] * 3)
    return cv2.resize(bgr, HD[::-1], interpolation=cv2.INTER_CUBIC)


def noisy(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """The image with fresh Gaussian sensor noise, as a live camera delivers it."""
    rng = np.random.default_rng(seed)
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


METRICS_ONE = [
    brightness,
    contrast,
    clipped_share,
    sharpness,
    relative_sharpness,
    edge_density,
    noise_sigma,
    uniform_share,
    colourfulness,
    colour_balance,
    colour_cast,
]


@pytest.mark.parametrize("metric", METRICS_ONE, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (np.zeros((72, 128, 3), np.float32), "uint8"),
        (np.zeros((72, 128, 3), np.uint16), "uint8"),
        (np.zeros((72, 128, 4), np.uint8), "H x W"),
        (np.zeros(128, np.uint8), "H x W"),
        (np.zeros((0, 128, 3), np.uint8), "empty"),
        ([[1, 2], [3, 4]], "numpy array"),
    ],
)
def test_every_metric_refuses_what_is_not_a_picture(metric, bad, why) -> None:
    with pytest.raises(ValueError, match=why):
        metric(bad)


@pytest.mark.parametrize("pair", [changed_share, live_region_share, frame_similarity])
def test_comparisons_refuse_pictures_of_different_shapes(pair) -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        pair(np.zeros((720, 1280, 3), np.uint8), np.zeros((480, 640, 3), np.uint8))


def test_correlation_refuses_different_shapes() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        correlation(np.zeros((4, 4)), np.zeros((4, 5)))


def test_brightness_contrast_and_clipping_of_known_fields() -> None:
    grey = np.full(HD, 100, np.uint8)
    assert brightness(grey) == pytest.approx(100.0)
    assert contrast(grey) == pytest.approx(0.0, abs=1e-6)
    split = np.zeros(HD, np.uint8)
    split[:, 640:] = 255
    assert clipped_share(split) == pytest.approx((0.5, 0.5), abs=0.01)
    assert contrast(split) == pytest.approx(127.5, abs=1.0)


def test_sharpness_drops_when_a_real_photo_is_out_of_focus() -> None:
    sharp = photo()
    soft = cv2.GaussianBlur(sharp, (0, 0), 6)
    assert sharpness(soft) < 0.3 * sharpness(sharp)
    assert relative_sharpness(soft) < 0.6 * relative_sharpness(sharp)
    # Exposure does not change the focus measure: a dimmed photo is exactly as sharp.
    dim = (sharp * 0.4).astype(np.uint8)
    assert relative_sharpness(dim) == pytest.approx(relative_sharpness(sharp), rel=0.15)


@pytest.mark.parametrize("sigma", [2.0, 5.0, 12.0])
def test_noise_estimate_matches_the_noise_added(sigma) -> None:
    flat = np.full(HD, 128, np.uint8)
    assert noise_sigma(flat) == 0.0
    assert noise_sigma(noisy(flat, sigma, seed=1)) == pytest.approx(sigma, rel=0.1)
    # On a real photo the scene's own fine texture adds a little (grass, here).
    base = photo("camera")[:, :, 0]
    assert noise_sigma(base) < 2.0
    assert abs(noise_sigma(noisy(base, sigma, seed=1)) - sigma) <= 1.5 + 0.15 * sigma


def test_noise_estimate_survives_jpeg_compression() -> None:
    heavy = noisy(photo("coffee"), 12.0, seed=2)
    clean = noisy(photo("coffee"), 1.5, seed=3)
    for quality in (90, 75, 50):
        params = [cv2.IMWRITE_JPEG_QUALITY, quality]
        heavy_jpeg = cv2.imdecode(cv2.imencode(".jpg", heavy, params)[1], cv2.IMREAD_COLOR)
        clean_jpeg = cv2.imdecode(cv2.imencode(".jpg", clean, params)[1], cv2.IMREAD_COLOR)
        assert noise_sigma(heavy_jpeg) > 2 * noise_sigma(clean_jpeg) + 2.0, quality


def test_colourfulness_is_zero_for_grey_and_high_for_a_colour_photo() -> None:
    assert colourfulness(photo("camera")) < 1.0
    assert colourfulness(photo("astronaut")) > 30.0


def test_colour_cast_is_measured_against_the_reference_and_never_on_greyscale() -> None:
    scene = photo("coffee")
    assert colour_cast(scene, scene) < 0.5
    stuck_ir_cut = np.clip(scene * np.array([1.3, 0.8, 1.22]), 0, 255).astype(np.uint8)
    assert colour_cast(stuck_ir_cut, scene) > 5.0
    night = cv2.cvtColor(cv2.cvtColor(scene, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    assert colour_cast(night, scene) == 0.0
    # A fogged lens only desaturates: the balance moves towards grey without a cast.
    fogged = (scene * 0.5 + 75).astype(np.uint8)
    assert colour_cast(fogged, scene) < 3.0
    assert sum(colour_balance(scene)) == pytest.approx(1.0)


def test_edge_density_of_flat_and_patterned_fields() -> None:
    assert edge_density(np.full(HD, 90, np.uint8)) == 0.0
    board = (np.indices(HD).sum(axis=0) // 40 % 2 * 255).astype(np.uint8)
    assert edge_density(board) > 0.05


def test_a_live_still_scene_changes_everywhere_and_a_repeated_buffer_nowhere() -> None:
    scene = photo()
    a, b = noisy(scene, 1.2, seed=1), noisy(scene, 1.2, seed=2)
    assert changed_share(a, b) > 0.5
    assert live_region_share(a, b) > 0.9
    assert live_region_share(a, a.copy()) == 0.0
    assert frame_similarity(a, a.copy()) == 1.0


def test_a_clock_ticking_on_a_repeated_buffer_is_not_life() -> None:
    frozen = noisy(photo(), 1.2, seed=1)
    earlier, later = frozen.copy(), frozen.copy()
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(earlier, "2026-11-26 09:00:01", (20, 40), font, 1, (255, 255, 255), 2)
    cv2.putText(later, "2026-11-26 09:00:02", (20, 40), font, 1, (255, 255, 255), 2)
    assert changed_share(later, earlier) > 0.0
    assert live_region_share(later, earlier) < 0.1


def test_uniform_share_tells_a_generated_screen_from_a_photo() -> None:
    screen = np.zeros((*HD, 3), np.uint8)
    screen[:] = (160, 40, 0)
    cv2.putText(screen, "NO VIDEO", (480, 380), cv2.FONT_HERSHEY_DUPLEX, 2, (255,) * 3, 3)
    assert uniform_share(screen) > 0.9
    assert uniform_share(noisy(photo(), 1.2, seed=3)) < 0.3


def test_view_alignment_tolerates_shake_and_sees_a_turned_camera() -> None:
    scene = photo("coffee")
    shaken = np.roll(scene, (3, -5), axis=(0, 1))
    shift, match = view_alignment(shaken, scene)
    assert shift < 0.01 and match > 0.8
    turned = np.roll(scene, 256, axis=1)
    assert view_alignment(turned, scene)[0] > 0.1
    assert scene_similarity(photo("chelsea"), scene) < 0.5


def test_learn_reference_keeps_the_scene_and_drops_what_passed_through() -> None:
    scene = photo()
    frames = [noisy(scene, 2.0, seed=s) for s in range(3)]
    cv2.rectangle(frames[1], (500, 200), (800, 700), (0, 0, 255), -1)  # a passer-by in one grab
    reference = learn_reference(frames)
    assert reference.shape == (180, 320, 3)
    clean = cv2.resize(scene, (320, 180), interpolation=cv2.INTER_AREA)
    assert np.abs(reference.astype(int) - clean).mean() < 2.0


def test_reference_helpers_check_their_inputs_and_blend() -> None:
    with pytest.raises(ValueError, match="at least one"):
        learn_reference([])
    with pytest.raises(ValueError, match="mix"):
        learn_reference([photo(), photo("camera")[:, :, 0]])
    reference = learn_reference([photo()])
    with pytest.raises(ValueError, match="weight"):
        update_reference(reference, photo(), weight=0.0)
    white = np.full((*HD, 3), 255, np.uint8)
    updated = update_reference(reference, white, weight=0.5)
    assert updated.mean() == pytest.approx((reference.mean() + 255) / 2, abs=1.0)
    # A reference stored at another size (replaced by a technician) is fitted to the stream.
    assert fit_reference(cv2.resize(reference, (640, 360)), photo()).shape == (180, 320, 3)
    assert fit_reference(reference, np.zeros((480, 640), np.uint8)).shape == (240, 320)
