"""The fingerprint of a grab: compact, stable, and it tells exactly which blocks changed."""

from __future__ import annotations

import numpy as np
import pytest

from probes.faults import FaultCode
from probes.frame import assess
from probes.frame.fingerprint import GRID, Fingerprint, changed_blocks, fingerprint, stand_in


def _picture(seed: int, shape: tuple[int, ...] = (720, 1280, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def test_round_trip_is_compact_and_exact() -> None:
    frame = _picture(1)
    print_ = fingerprint(frame)
    data = print_.to_bytes()
    assert len(data) < 5000
    back = Fingerprint.from_bytes(data)
    assert back is not None and (back.height, back.width) == (720, 1280)
    assert np.array_equal(back.hashes, print_.hashes)


@pytest.mark.parametrize("data", [None, b"", b"garbage", b"CWF1" + b"\0" * 40])
def test_foreign_or_damaged_bytes_give_no_fingerprint(data: bytes | None) -> None:
    assert Fingerprint.from_bytes(data) is None


def test_one_changed_pixel_changes_only_its_block() -> None:
    frame = _picture(2)
    changed = frame.copy()
    changed[100, 200] = changed[100, 200] ^ 1  # one grey level in one pixel
    diff = changed_blocks(fingerprint(changed), fingerprint(frame))
    assert diff is not None and int(diff.sum()) == 1
    block_h, block_w = 720 // GRID[0], 1280 // GRID[1]
    assert diff[100 // block_h, 200 // block_w]


def test_stand_in_differs_from_the_current_grab_exactly_where_it_changed() -> None:
    previous = _picture(3)
    current = previous.copy()
    current[:360, :640] = _picture(4, (360, 640, 3))  # the top-left quarter moved
    proxy = stand_in(current, fingerprint(previous))
    assert proxy is not None
    differs = (proxy != current).any(axis=2)
    assert differs[:360, :640].all() and not differs[360:, :].any() and not differs[:, 640:].any()


def test_no_usable_previous_fingerprint_means_no_previous_grab() -> None:
    current = _picture(5)
    assert stand_in(current, None) is None
    assert stand_in(current, fingerprint(_picture(6, (360, 640, 3)))) is None  # other size


def test_assess_with_the_stand_in_finds_a_repeated_buffer_frozen_and_a_live_one_not() -> None:
    rng = np.random.default_rng(7)
    base = np.tile(np.linspace(40, 200, 1280, dtype=np.float32), (720, 1))
    live = [
        np.clip(base + rng.normal(0, 2.0, base.shape), 0, 255).astype(np.uint8) for _ in range(2)
    ]
    repeated = assess(live[0], stand_in(live[0], fingerprint(live[0].copy())))
    moving = assess(live[1], stand_in(live[1], fingerprint(live[0])))
    assert FaultCode.FROZEN in repeated.faults
    assert FaultCode.FROZEN not in moving.faults
