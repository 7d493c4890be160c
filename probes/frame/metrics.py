"""Picture metrics as pure functions on numpy arrays (BGR uint8 as OpenCV decodes, or greyscale).

Every function checks its input and raises ValueError for a wrong dtype, shape or an empty array.
Most metrics are measured on a working copy shrunk to WORK_WIDTH pixels wide, so that thresholds
mean the same thing at every stream resolution and a 720p frame costs well under 3 ms. The
metrics that need per-pixel sensor noise (noise level, frozen picture, solid "no video" field)
read sampled rows of the full-resolution pixels instead: shrinking averages that noise away.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

WORK_WIDTH = 320
TILE = 20  # working-copy pixels per tile side; a 16:9 frame gives a 16 x 9 tile grid
_NOISE_ROW_GROUPS = 24  # groups of 4 adjacent full-resolution rows read for noise and freezes
_FREEZE_GRID = (6, 8)  # rows, columns of regions judged for "changed at all"
_FREEZE_LIVE_SHARE = 0.10  # a region is live when at least this share of its pixels changed


def check_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Return `image` if it is a non-empty uint8 greyscale or 3-channel array, else ValueError."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{name} must be a numpy array, not {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"{name} must be uint8 (as OpenCV decodes), not {image.dtype}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"{name} must be H x W (grey) or H x W x 3 (BGR), got {image.shape}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(f"{name} is empty or smaller than 2 x 2: {image.shape}")
    return image


def check_same_shape(a: np.ndarray, b: np.ndarray, names: str = "images") -> None:
    """ValueError unless `a` and `b` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{names} differ in shape: {a.shape} vs {b.shape}")


def working_size(shape: tuple[int, ...]) -> tuple[int, int]:
    """(width, height) of the working copy for a frame of `shape`; height a multiple of TILE."""
    height, width = shape[0], shape[1]
    tiles_high = max(1, round(WORK_WIDTH * height / width / TILE))
    return WORK_WIDTH, tiles_high * TILE


def working_copy(image: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """The image shrunk (INTER_AREA) to the working size (or `size` = (width, height))."""
    check_image(image)
    size = size or working_size(image.shape)
    if (image.shape[1], image.shape[0]) == size:
        return image
    if image.shape[1] < size[0]:
        return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
    # Halving with INTER_LINEAR averages exact 2 x 2 blocks and costs a fifth of INTER_AREA's
    # general path on a 720p frame; INTER_AREA finishes the last non-integer step.
    while image.shape[1] >= 2 * size[0] and image.shape[0] >= 2 * size[1]:
        half = (image.shape[1] // 2, image.shape[0] // 2)
        image = cv2.resize(image, half, interpolation=cv2.INTER_LINEAR)
    if (image.shape[1], image.shape[0]) == size:
        return image
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def to_grey(image: np.ndarray) -> np.ndarray:
    """Greyscale (luma) uint8 copy of a BGR image; a grey image is returned as is."""
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _small_grey(image: np.ndarray) -> np.ndarray:
    return to_grey(working_copy(check_image(image)))


def tile_stats(grey: np.ndarray, tile: int = TILE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-tile mean, standard deviation and Laplacian std of a working-size grey image."""
    rows, cols = grey.shape[0] // tile, grey.shape[1] // tile
    if rows == 0 or cols == 0:
        raise ValueError(f"image {grey.shape} is smaller than one {tile}-pixel tile")
    g = grey[: rows * tile, : cols * tile].astype(np.float32)
    lap = cv2.Laplacian(g, cv2.CV_32F)
    mean, std = _block_mean_std(g, rows, cols)
    return mean, std, _block_mean_std(lap, rows, cols)[1]


def _block_mean_std(values: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    # INTER_AREA to an integer fraction of the size is an exact block mean, and fast.
    mean = cv2.resize(values, (cols, rows), interpolation=cv2.INTER_AREA)
    mean_sq = cv2.resize(values * values, (cols, rows), interpolation=cv2.INTER_AREA)
    return mean, np.sqrt(np.maximum(mean_sq - mean * mean, 0.0))


def brightness(image: np.ndarray) -> float:
    """Mean grey level, 0-255."""
    return float(_small_grey(image).mean())


def contrast(image: np.ndarray) -> float:
    """RMS contrast: standard deviation of the grey levels, 0-127.5."""
    return float(_small_grey(image).std())


def percentile_levels(grey: np.ndarray, percents: tuple[float, ...]) -> tuple[float, ...]:
    """Grey levels at the given percentiles of a uint8 grey image (histogram-based, fast)."""
    cdf = np.cumsum(_histogram(grey)) / grey.size
    return tuple(float(np.searchsorted(cdf, p / 100.0)) for p in percents)


def _histogram(grey: np.ndarray) -> np.ndarray:
    return cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()


def clipped_share(image: np.ndarray, low: int = 8, high: int = 247) -> tuple[float, float]:
    """Shares of pixels at or below `low` (crushed black) and at or above `high` (clipped white)."""
    grey = _small_grey(image)
    return float(np.count_nonzero(grey <= low) / grey.size), float(
        np.count_nonzero(grey >= high) / grey.size
    )


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of the working copy (fixed size, so comparable across streams)."""
    grey = _small_grey(image).astype(np.float32)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def relative_sharpness(image: np.ndarray) -> float:
    """Median over detailed tiles of Laplacian std / tile std: focus independent of exposure."""
    _, std, lap = tile_stats(_small_grey(image))
    return _relative_sharpness(std, lap, std)


def percentile_of(values: np.ndarray, percent: float) -> float:
    """The `percent` percentile of a small array (nearest rank; cheaper than np.percentile)."""
    flat = values.ravel()
    k = min(flat.size - 1, round(percent / 100.0 * (flat.size - 1)))
    return float(np.partition(flat, k)[k])


def _relative_sharpness(std: np.ndarray, lap: np.ndarray, ref_std: np.ndarray) -> float:
    # Only tiles with real detail in the reference say anything about focus: a flat tile's
    # Laplacian is sensor noise.
    detailed = ref_std >= max(4.0, 0.5 * float(np.median(ref_std)))
    if not detailed.any():
        return 0.0
    return float(np.median(lap[detailed] / np.maximum(std[detailed], 1.0)))


def edge_density(image: np.ndarray, threshold: float = 60.0) -> float:
    """Share of working-copy pixels whose Sobel gradient magnitude exceeds `threshold`."""
    return _edge_density(_small_grey(image), threshold)


def _edge_density(grey: np.ndarray, threshold: float = 60.0) -> float:
    gx = cv2.Sobel(grey, cv2.CV_16S, 1, 0)
    gy = cv2.Sobel(grey, cv2.CV_16S, 0, 1)
    magnitude = cv2.add(cv2.convertScaleAbs(gx), cv2.convertScaleAbs(gy))
    return float(np.count_nonzero(magnitude > threshold) / magnitude.size)


def _noise_row_index(height: int) -> np.ndarray:
    """Indexes of the sampled full-resolution rows: groups of four adjacent rows."""
    height = height - height % 4
    step = max(4, (height // _NOISE_ROW_GROUPS) & ~3)
    starts = np.arange(0, height - 3, step)
    return (starts[:, None] + np.arange(4)).ravel()


def _noise_rows(image: np.ndarray) -> np.ndarray:
    """Full-resolution grey rows in groups of four adjacent rows, spread over the frame."""
    return to_grey(np.ascontiguousarray(image[_noise_row_index(image.shape[0])]))


def noise_sigma(image: np.ndarray) -> float:
    """Sensor-noise standard deviation in grey levels (Donoho's MAD of a Haar detail band)."""
    return _noise_sigma(_noise_rows(check_image(image)))


def _noise_sigma(rows: np.ndarray) -> float:
    # The finest band is the one JPEG and H.264 quantise away, so noise is read one scale up:
    # 2 x 2 block means (white noise keeps its shape there at half the sigma), then their
    # diagonal Haar band, whose median is barely moved by the sparse edges of the scene.
    height, width = rows.shape[0] - rows.shape[0] % 4, rows.shape[1] - rows.shape[1] % 4
    r = rows[:height, :width].astype(np.float32)
    # INTER_AREA to exactly half the size is the exact 2 x 2 block mean.
    binned = cv2.resize(r, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    hh = cv2.subtract(
        cv2.subtract(binned[0::2, 0::2], binned[0::2, 1::2]),
        cv2.subtract(binned[1::2, 0::2], binned[1::2, 1::2]),
    )
    # hh is 2 x a unit-gain Haar coefficient of sigma / 2; sigma = 2 * median|coef| / 0.6745.
    return float(np.median(np.abs(hh))) / 0.6745


def uniform_share(image: np.ndarray) -> float:
    """Share of full-resolution pixels at exactly the most common grey level (a generated field)."""
    return _uniform_share(_noise_rows(check_image(image)))[0]


def _uniform_share(rows: np.ndarray) -> tuple[float, int]:
    """(share of pixels at the modal grey level, that level)."""
    counts = _histogram(rows)
    mode = int(np.argmax(counts))
    return float(counts[mode] / rows.size), mode


def colour_balance(image: np.ndarray) -> tuple[float, float, float]:
    """Grey-world chromaticity (B, G, R shares of the mean colour); (1/3, 1/3, 1/3) for grey."""
    small = working_copy(check_image(image))
    return _colour_balance(small)


def _colour_balance(small: np.ndarray) -> tuple[float, float, float]:
    if small.ndim == 2:
        return (1 / 3, 1 / 3, 1 / 3)
    means = np.asarray(cv2.mean(small)[:3], dtype=np.float64)
    total = float(means.sum())
    if total < 1.0:
        return (1 / 3, 1 / 3, 1 / 3)
    blue, green, red = (float(v) for v in means / total)
    return (blue, green, red)


def colour_cast(image: np.ndarray, reference: np.ndarray | None = None) -> float:
    """How far (chromaticity percentage points) the colour balance has moved from the reference's,
    or from neutral grey without a reference; 0 for a greyscale picture.

    A picture that merely lost saturation (fog, dusk, gamma) moves towards neutral without a
    cast, so the reference's balance is first scaled by the saturation actually left.
    """
    small = working_copy(check_image(image))
    ref_colour = None
    if reference is not None:
        ref_colour = _chroma(working_copy(check_image(reference, "reference")))
    return _colour_cast(_chroma(small), ref_colour)


def _chroma(small: np.ndarray, tiny: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(mean chromaticity minus neutral, per-pixel chromaticity spread) of a working copy."""
    if small.ndim == 2:
        return np.zeros(3), 0.0
    balance = np.asarray(_colour_balance(small)) - 1 / 3
    tiny = (_tiny(small) if tiny is None else tiny) + 1.0
    pixels = tiny / tiny.sum(axis=2, keepdims=True)
    pixels -= pixels.reshape(-1, 3).mean(axis=0)
    spread = float(cv2.sqrt(cv2.transform(pixels * pixels, np.ones((1, 3), np.float32))).mean())
    return balance, spread


def _tiny(small: np.ndarray) -> np.ndarray:
    """A quarter-size float32 copy: colour statistics are as good on it, at 1/16 of the cost."""
    size = (small.shape[1] // 4, small.shape[0] // 4)
    return cv2.resize(small, size, interpolation=cv2.INTER_AREA).astype(np.float32)


_GREY_SPREAD = 0.005  # per-pixel chromaticity spread of a greyscale picture (noise only)


def _colour_cast(chroma: tuple[np.ndarray, float], ref: tuple[np.ndarray, float] | None) -> float:
    balance, spread = chroma
    if spread < _GREY_SPREAD:
        return 0.0  # a greyscale (IR night) picture has no colour to be cast
    if ref is None or ref[1] < _GREY_SPREAD:
        return float(np.abs(balance).max() * 100.0)
    # Desaturation (fog, dusk, a veil of glare) shrinks the balance towards neutral along the
    # reference's own tint; a cast moves it elsewhere. The share of the tint kept is read from
    # the balance itself (its projection on the reference's tint), bounded by the share of
    # per-pixel colour spread kept: blur also lowers that spread, so alone it under-reads.
    tint = ref[0]
    norm = float(tint @ tint)
    kept = min(1.0, spread / ref[1])
    if norm > 1e-8:
        kept = max(kept, min(1.0, max(0.0, float(balance @ tint) / norm)))
    return float(np.abs(balance - kept * tint).max() * 100.0)


def colourfulness(image: np.ndarray) -> float:
    """Hasler & Süsstrunk colourfulness M of the working copy; near 0 for greyscale."""
    return _colourfulness(working_copy(check_image(image)))


def _colourfulness(small: np.ndarray, tiny: np.ndarray | None = None) -> float:
    if small.ndim == 2:
        return 0.0
    b, g, r = cv2.split(_tiny(small) if tiny is None else tiny)
    rg_mean, rg_std = cv2.meanStdDev(r - g)
    yb_mean, yb_std = cv2.meanStdDev(0.5 * (r + g) - b)
    return float(
        np.hypot(rg_std[0, 0], yb_std[0, 0]) + 0.3 * np.hypot(rg_mean[0, 0], yb_mean[0, 0])
    )


def changed_share(current: np.ndarray, previous: np.ndarray) -> float:
    """Share of (decimated, full-resolution) pixels that changed at all since the previous grab."""
    changed = _changed_map(current, previous)
    return float(np.count_nonzero(changed) / changed.size)


def live_region_share(current: np.ndarray, previous: np.ndarray) -> float:
    """Share of picture regions where pixels changed since the previous grab.

    A live sensor changes most pixels by a grey level or two everywhere; a repeated buffer changes
    none, and a burnt-in clock ticking in a corner changes only the one or two regions it sits in.
    """
    return _live_region_share(_changed_map(current, previous))


def _changed_map(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
    check_image(current, "current")
    check_image(previous, "previous")
    check_same_shape(current, previous, "current and previous")
    return _changed_rows(_noise_rows(current), _noise_rows(previous))


def _changed_rows(current_rows: np.ndarray, previous_rows: np.ndarray) -> np.ndarray:
    """Which full-resolution pixels (of the sampled rows) differ at all between two grabs."""
    return np.asarray(current_rows != previous_rows)


def _live_region_share(changed: np.ndarray) -> float:
    rows, cols = _FREEZE_GRID
    h, w = changed.shape[0] // rows, changed.shape[1] // cols
    if h == 0 or w == 0:
        return float(changed.mean() >= _FREEZE_LIVE_SHARE)
    blocks = changed[: rows * h, : cols * w].reshape(rows, h, cols, w).mean(axis=(1, 3))
    return float(np.count_nonzero(blocks >= _FREEZE_LIVE_SHARE) / blocks.size)


_ALIGN_SIZE = (160, 90)
_ALIGN_WINDOW = cv2.createHanningWindow(_ALIGN_SIZE, cv2.CV_32F)


def _align_prep(grey: np.ndarray) -> np.ndarray:
    g = cv2.resize(grey, _ALIGN_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)
    mean, std = cv2.meanStdDev(g)
    return (g - float(mean[0, 0])) * (1.0 / (float(std[0, 0]) + 1e-3))


def _alignment(
    grey: np.ndarray, ref_grey: np.ndarray, ref_prep: np.ndarray | None = None
) -> tuple[float, float]:
    # phaseCorrelate writes into its inputs: a cached reference is handed over as a copy.
    ref_prep = _align_prep(ref_grey) if ref_prep is None else ref_prep.copy()
    (dx, dy), response = cv2.phaseCorrelate(ref_prep, _align_prep(grey), _ALIGN_WINDOW)
    return float(np.hypot(dx, dy) / _ALIGN_SIZE[0]), float(response)


def view_alignment(current: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """(shift, match) of the view against the reference by phase correlation.

    `shift` is how far the view moved, as a share of the picture width (a camera shaken by a few
    pixels moves well under 1 %; one turned away moves 10 % or more); `match` is the height of the
    correlation peak, about 1 for the same view and well under 0.7 for a rotated or different one.
    """
    grey = _small_grey(current)
    ref = to_grey(working_copy(check_image(reference, "reference"), (grey.shape[1], grey.shape[0])))
    return _alignment(grey, ref)


def scene_similarity(current: np.ndarray, reference: np.ndarray) -> float:
    """How well the view matches the reference view (phase-correlation peak; 1 = same view)."""
    return view_alignment(current, reference)[1]


def layout(grey: np.ndarray) -> np.ndarray:
    """Coarse float32 brightness layout (4 x 4 cells per tile) of a working-size grey image."""
    rows, cols = grey.shape[0] // TILE, grey.shape[1] // TILE
    g = grey[: rows * TILE, : cols * TILE]
    return cv2.resize(g, (cols * 4, rows * 4), interpolation=cv2.INTER_AREA).astype(np.float32)


def correlation(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Pearson correlation of two equal-shape arrays (over `mask` if given); 0 if either is flat."""
    check_same_shape(a, b, "arrays")
    x, y = (a[mask], b[mask]) if mask is not None else (a.ravel(), b.ravel())
    if x.size < 2:
        return 0.0
    x = x.astype(np.float64) - float(x.mean())
    y = y.astype(np.float64) - float(y.mean())
    denominator = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / denominator) if denominator > 1e-6 else 0.0


def frame_similarity(current: np.ndarray, previous: np.ndarray) -> float:
    """Share of picture regions unchanged since the previous grab (1 = repeated buffer)."""
    return 1.0 - live_region_share(current, previous)


_TEMPORAL_BLOCK = 32  # columns per block of the sampled rows (4 rows x 32 columns)
TEMPORAL_STILL_PERCENTILE = 20  # the stillest blocks: people, cars and shaken edges are left out


def temporal_noise(current: np.ndarray, previous: np.ndarray) -> float:
    """Noise standard deviation (grey levels) read from the difference of two grabs of a still view.

    Texture is the same in both grabs and cancels; sensor noise does not. A camera shaken by wind
    is compensated (the whole view moved by a few pixels); what else moves (a passer-by) is local,
    so the level is read in the stillest blocks.
    """
    check_image(current, "current")
    check_image(previous, "previous")
    check_same_shape(current, previous, "current and previous")
    shift = view_shift(_small_grey(current), _small_grey(previous), current.shape[1])
    return _temporal_noise(current, previous, _noise_rows(current), shift)


def view_shift(grey: np.ndarray, previous_grey: np.ndarray, full_width: int) -> tuple[int, int]:
    """Whole-pixel (dx, dy) at full resolution by which the view moved since the previous grab."""
    size = (grey.shape[1], grey.shape[0])
    window = _shift_window(size)
    (dx, dy), _ = cv2.phaseCorrelate(
        previous_grey.astype(np.float32), grey.astype(np.float32), window
    )
    scale = full_width / grey.shape[1]
    return round(dx * scale), round(dy * scale)


_WINDOWS: dict[tuple[int, int], np.ndarray] = {}


def _shift_window(size: tuple[int, int]) -> np.ndarray:
    if size not in _WINDOWS:
        _WINDOWS[size] = cv2.createHanningWindow(size, cv2.CV_32F)
    return _WINDOWS[size]


SHIFT_CHECK_SIGMA = 1.0  # below this the grabs agree: no need to look for a shaken view
# (below the lowest temporal noise limit of probes.frame.judge, so a shaken view is never noise)
SHIFT_MIN_GAIN = 0.10  # a realignment must shrink the difference by this share to count
MOVED_MIN_PX = 2  # full-resolution pixels of phase-correlation shift that mean the view moved
_SHAKE_LIMIT = 16  # full-resolution pixels of shake compensated; more is a turned camera


def _temporal_noise(
    current: np.ndarray,
    previous: np.ndarray,
    current_rows: np.ndarray,
    shift: tuple[int, int] = (0, 0),
) -> float:
    """Temporal noise of the sampled rows (see `temporal_shift`)."""
    return temporal_shift(current, previous, current_rows, shift)[0]


def temporal_shift(
    current: np.ndarray,
    previous: np.ndarray,
    current_rows: np.ndarray,
    shift: tuple[int, int] | Callable[[], tuple[int, int]] = (0, 0),
    previous_rows: np.ndarray | None = None,
) -> tuple[float, tuple[int, int]]:
    """(temporal noise, the shift it was read at): unmoved, or the previous grab moved back by
    `shift` (refined by a pixel either way), whichever leaves the smaller difference.
    `previous_rows` are the previous grab's sampled rows when already read."""
    if previous_rows is None:
        previous_rows = _noise_rows(previous)
    unmoved = _still_sigma(current_rows, previous_rows)
    if callable(shift):  # the shift is costly to read: only when the unmoved view differs
        if unmoved < SHIFT_CHECK_SIGMA:
            return unmoved, (0, 0)
        shift = shift()
    dx, dy = shift
    if (dx == 0 and dy == 0) or max(abs(dx), abs(dy)) > _SHAKE_LIMIT:
        return unmoved, (0, 0)
    rows = _noise_row_index(current.shape[0])[: current_rows.shape[0] // 2]
    half = current_rows[: rows.size]
    unmoved_half = _still_sigma(half, previous_rows[: rows.size])
    best, at = unmoved_half * (1.0 - SHIFT_MIN_GAIN), (0, 0)
    # The shift read on the working copy is good to a pixel or so at full resolution; the
    # candidates are compared on half the rows, the winner read on all of them.
    for ry in (dy - 1, dy, dy + 1):
        index = np.clip(rows - ry, 0, previous.shape[0] - 1)
        prev_rows = to_grey(np.ascontiguousarray(previous[index]))
        for rx in (dx - 1, dx, dx + 1):
            if rx == 0 and ry == 0:
                continue
            cur, prev = _overlap(half, prev_rows, rx)
            sigma = _still_sigma(cur, prev)
            if sigma < best:
                best, at = sigma, (rx, ry)
    if at == (0, 0):
        # No nearby shift explains the difference. Noise alone reads a stray pixel of shift;
        # a view shaken by a few pixels and re-encoded by a codec differs as much after
        # realignment (the codec's errors moved with it): it moved all the same.
        moved = max(abs(dx), abs(dy)) >= MOVED_MIN_PX
        return unmoved, (dx, dy) if moved else (0, 0)
    index = np.clip(_noise_row_index(current.shape[0]) - at[1], 0, previous.shape[0] - 1)
    cur, prev = _overlap(current_rows, to_grey(np.ascontiguousarray(previous[index])), at[0])
    return _still_sigma(cur, prev), at


def _overlap(cur: np.ndarray, prev: np.ndarray, dx: int) -> tuple[np.ndarray, np.ndarray]:
    """The columns where cur[x] and prev[x - dx] both exist."""
    if dx > 0:
        return cur[:, dx:], prev[:, :-dx]
    if dx < 0:
        return cur[:, :dx], prev[:, -dx:]
    return cur, prev


def _still_sigma(current_rows: np.ndarray, previous_rows: np.ndarray) -> float:
    return percentile_of(
        _temporal_block_sigma(current_rows, previous_rows), TEMPORAL_STILL_PERCENTILE
    )


def difference_isotropy(current_rows: np.ndarray, previous_rows: np.ndarray) -> float:
    """How alike the grab difference's vertical and horizontal steps are (1: isotropic).

    Sensor noise, raw or smeared by a codec into blocks, changes as much along rows as down
    columns. Rain streaks are near-vertical lines: their difference steps across a streak,
    hardly along it, and reads well below 1. Read within the groups of four adjacent rows.
    """
    height = current_rows.shape[0] - current_rows.shape[0] % 4
    if height == 0 or current_rows.shape[1] < 2:
        return 1.0
    d = cv2.subtract(current_rows[:height], previous_rows[:height], dtype=cv2.CV_32F)
    groups = d.reshape(height // 4, 4, d.shape[1])
    down = float(np.abs(np.diff(groups, axis=1)).mean())
    across = float(np.abs(np.diff(d, axis=1)).mean())
    if across == 0.0:
        return 1.0
    return min(1.0, down / across)


def _temporal_block_sigma(current_rows: np.ndarray, previous_rows: np.ndarray) -> np.ndarray:
    """Per block (4 rows x 32 columns) the spread of the grab difference, as noise sigma."""
    groups, cols = current_rows.shape[0] // 4, current_rows.shape[1] // _TEMPORAL_BLOCK
    if groups == 0 or cols == 0:
        return np.zeros(1, np.float32)
    h, w = groups * 4, cols * _TEMPORAL_BLOCK
    d = cv2.subtract(current_rows[:h, :w], previous_rows[:h, :w], dtype=cv2.CV_32F)
    # The spread around each block's own mean: an exposure step or a cover that appeared
    # elsewhere moves the mean, not the spread. The difference of two grabs has sqrt(2) sigma.
    return _block_mean_std(d, groups, cols)[1].ravel() * (1.0 / 1.4142)


def blockiness(image: np.ndarray) -> float:
    """Codec blocking: mean step across 8-pixel block borders over the mean step inside blocks.

    About 1 for a clean picture; heavy noise squeezed through JPEG or H.264 turns into flat
    blocks with steps at their borders, which lifts it.
    """
    return _blockiness(_noise_rows(check_image(image)))


def _blockiness(rows: np.ndarray) -> float:
    step = cv2.absdiff(rows[:, 1:], rows[:, :-1])
    width = step.shape[1] - step.shape[1] % 8
    step = step[:, :width]
    edges = step[:, 7::8]  # between column 8k+7 and 8k+8
    edge_sum, total = float(cv2.sumElems(edges)[0]), float(cv2.sumElems(step)[0])
    border = edge_sum / edges.size
    inside = (total - edge_sum) / (step.size - edges.size)
    return border / max(inside, 0.25)


def generated_share(image: np.ndarray) -> float:
    """Share of pixels that repeat their column's (or row's) level across the whole picture: near 1
    for a generated screen (solid field, colour bars, a ramp), low for a camera picture."""
    return _generated_share(_noise_rows(check_image(image)))


_GENERATED_TOLERANCE = 2  # grey levels a codec may move a generated level


def _generated_share(rows: np.ndarray) -> float:
    half = rows.shape[0] // 2
    # Column-constant (solid field, bars, a left-right ramp): each pixel against the pixel of
    # its column half the picture further down; row-constant (a top-down ramp): against the
    # pixel a sixth of the width to its right.
    down = cv2.absdiff(rows[:half], rows[half : 2 * half])
    step = max(1, rows.shape[1] // 6)
    right = cv2.absdiff(rows[:, :-step], rows[:, step:])
    tol = _GENERATED_TOLERANCE
    return max(
        np.count_nonzero(down <= tol) / down.size, np.count_nonzero(right <= tol) / right.size
    )
