"""The picture generator: each fault variant is clear-cut, each camera has its own view."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.simulator.model import PictureKind
from monitor.simulator.scene import PictureSource, encode_jpeg, render_scene

W, H = 640, 360


def _grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def _sharpness(img: np.ndarray) -> float:
    # At half size the grey-level sensor noise averages out; edges (or their absence) remain.
    half = cv2.resize(_grey(img), (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(half, cv2.CV_64F).var())


def _grab(kind: PictureKind, seed: int = 11) -> np.ndarray:
    return PictureSource("SIM-TEST", seed, kind, W, H).grab()


def test_each_seed_has_its_own_view_and_the_same_seed_the_same() -> None:
    a, b, c = render_scene(1, W, H), render_scene(1, W, H), render_scene(2, W, H)
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 15
    assert a.shape == (H, W, 3) and a.dtype == np.uint8


def test_healthy_view_is_textured_and_mid_grey() -> None:
    img = _grab(PictureKind.HEALTHY)
    assert 80 < _grey(img).mean() < 190
    assert _sharpness(img) > 100


def test_fault_variants_are_clear_cut() -> None:
    healthy = _grab(PictureKind.HEALTHY)
    assert _sharpness(_grab(PictureKind.BLURRED)) < _sharpness(healthy) / 10
    assert _grey(_grab(PictureKind.DARK)).mean() < 20
    assert (_grey(_grab(PictureKind.COVERED)) < 70).mean() > 0.5  # most of the view
    assert np.percentile(_grey(_grab(PictureKind.OVEREXPOSED)), 5) > 140  # washed out
    b, g, r = _grab(PictureKind.COLOR_CAST).reshape(-1, 3).mean(axis=0)
    assert r > 1.5 * g and b > 1.2 * g
    noisy = _grab(PictureKind.NOISY).astype(int)
    assert np.abs(noisy - healthy.astype(int)).mean() > 20
    turned = _grab(PictureKind.TURNED_AWAY)
    assert np.abs(turned.astype(int) - healthy.astype(int)).mean() > 15


def test_no_signal_is_a_flat_blue_screen() -> None:
    img = _grab(PictureKind.NO_SIGNAL)
    b, g, r = np.median(img.reshape(-1, 3), axis=0)
    assert b > 140 and g < 60 and r < 30
    assert (np.abs(img.astype(int) - [b, g, r]).sum(axis=2) < 10).mean() > 0.9


@pytest.mark.parametrize("kind", [PictureKind.HEALTHY, PictureKind.DARK, PictureKind.BLURRED])
def test_live_pictures_change_a_little_between_grabs(kind: PictureKind) -> None:
    source = PictureSource("SIM-TEST", 5, kind, W, H)
    first, second = source.grab().astype(int), source.grab().astype(int)
    diff = np.abs(first - second)
    assert (diff > 0).mean() > 0.5
    assert np.percentile(diff, 99) <= 4


def test_frozen_returns_the_very_same_buffer_until_the_picture_changes() -> None:
    source = PictureSource("SIM-TEST", 5, PictureKind.FROZEN, W, H)
    first = source.grab()
    assert source.grab() is first
    assert encode_jpeg(source.grab()) == encode_jpeg(first)
    source.kind = PictureKind.HEALTHY
    assert not np.array_equal(source.grab(), first)


def test_jpeg_round_trip_keeps_size() -> None:
    data = encode_jpeg(_grab(PictureKind.HEALTHY))
    assert data[:2] == b"\xff\xd8"
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape == (H, W, 3)
