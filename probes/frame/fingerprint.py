"""A compact fingerprint of a grab: which parts of the next grab changed, without its pixels.

Frozen-picture detection asks one question of the previous grab: which of the current picture's
full-resolution pixels differ from it at all (a live sensor changes nearly every pixel by a grey
level or two; a repeated buffer changes none). Keeping the previous grab itself costs megabytes per
camera. The fingerprint keeps, for a fixed grid of blocks of the full-resolution grey picture, a
16-bit hash of each block's exact pixels: 36 x 64 blocks, 4.6 kB at any resolution. Two grabs
whose block hashes are equal have (up to a 1 in 65,536 collision) the same pixels in that block.

`stand_in` turns a stored fingerprint back into something `assess(current, previous=...)` can
use: a picture equal to `current` in every block whose hash is unchanged and different in every
pixel of every changed block. The judgement then sees the changes at block granularity: a block
counts as changed when any of its pixels changed (see bench/fingerprint.py for how the verdicts
compare with the real previous grab on the judgement benchmark's cases).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

GRID = (36, 64)  # block rows, block columns
_MAGIC = b"CWF1"
_HEADER = struct.Struct("<4sIIHH")  # magic, height, width, grid rows, grid columns


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The size of a grab and a 16-bit hash of each block of its grey pixels."""

    height: int
    width: int
    hashes: np.ndarray  # uint16, GRID shaped

    def to_bytes(self) -> bytes:
        """Compact storable form (a small header and the hashes, little-endian)."""
        rows, cols = self.hashes.shape
        header = _HEADER.pack(_MAGIC, self.height, self.width, rows, cols)
        return header + self.hashes.astype("<u2").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes | None) -> Fingerprint | None:
        """Rebuild from `to_bytes`; None for missing, foreign or damaged data."""
        if not data or len(data) < _HEADER.size:
            return None
        magic, height, width, rows, cols = _HEADER.unpack_from(data)
        body = data[_HEADER.size :]
        if magic != _MAGIC or len(body) != rows * cols * 2 or rows == 0 or cols == 0:
            return None
        hashes = np.frombuffer(body, dtype="<u2").reshape(rows, cols).astype(np.uint16)
        return cls(height, width, hashes)


@cache
def _weights(block_height: int, block_width: int) -> np.ndarray:
    # Odd multipliers: a change of any one pixel always changes the block's sum modulo 2**32.
    rng = np.random.default_rng(0x5EED)
    weights = rng.integers(0, 2**31, size=(block_height, block_width), dtype=np.uint32)
    return weights * np.uint32(2) + np.uint32(1)


def _blocks(grey: np.ndarray, grid: tuple[int, int]) -> tuple[np.ndarray, int, int]:
    rows, cols = grid
    bh, bw = grey.shape[0] // rows, grey.shape[1] // cols
    if bh == 0 or bw == 0:
        raise ValueError(f"picture {grey.shape} is smaller than the fingerprint grid {grid}")
    return grey[: rows * bh, : cols * bw].reshape(rows, bh, cols, bw), bh, bw


def fingerprint(image: np.ndarray, grid: tuple[int, int] = GRID) -> Fingerprint:
    """The fingerprint of a BGR or grey uint8 picture (full resolution, as decoded)."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError("a fingerprint needs a uint8 grey or BGR picture")
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    blocks, bh, bw = _blocks(grey, grid)
    weighted = blocks.astype(np.uint32) * _weights(bh, bw)[None, :, None, :]
    sums = weighted.sum(axis=(1, 3), dtype=np.uint32)
    # Fold the 32-bit sums to 16 bits (both halves count).
    folded = (sums >> np.uint32(16)) ^ (sums & np.uint32(0xFFFF))
    return Fingerprint(image.shape[0], image.shape[1], folded.astype(np.uint16))


def changed_blocks(current: Fingerprint, previous: Fingerprint) -> np.ndarray | None:
    """Which blocks differ between two fingerprints; None when the grabs differ in size."""
    if (current.height, current.width) != (previous.height, previous.width):
        return None
    if current.hashes.shape != previous.hashes.shape:
        return None
    return np.asarray(current.hashes != previous.hashes)


def stand_in(
    current: np.ndarray, previous: Fingerprint | None, current_print: Fingerprint | None = None
) -> np.ndarray | None:
    """A stand-in for the previous grab: `current` with every changed block altered.

    None when there is no usable previous fingerprint (none yet, or another picture size).
    """
    if previous is None:
        return None
    mine = current_print or fingerprint(current)
    changed = changed_blocks(mine, previous)
    if changed is None:
        return None
    if not changed.any():
        return current
    if changed.all():
        return cv2.bitwise_not(current)
    result = current.copy()
    rows, cols = changed.shape
    bh, bw = current.shape[0] // rows, current.shape[1] // cols
    for r, c in zip(*np.nonzero(changed), strict=True):
        block = result[r * bh : (r + 1) * bh, c * bw : (c + 1) * bw]
        # Inverting changes every pixel's grey level (255 - v never equals v).
        cv2.bitwise_not(block, dst=block)
    return result
