"""Judge one picture: which picture faults it shows, with the numbers behind the verdict.

One root cause per picture where causes mask each other, so a ticket names the fault to fix:
- a "no video" screen is only `no_signal` (it is also static, flat and often dark);
- a picture too dark or washed out carries no evidence on focus, cover, view or colour;
- a view that no longer matches the reference is `scene_changed`, not `blur`, `covered` or
  `color_cast` (the reference's detail and colours no longer apply);
- a covered lens is `covered`, not `blur` or `color_cast`;
- a picture too dark or covered cannot show signs of life (compression erases its sensor noise),
  so it is not also called `frozen`.
`frozen` is judged on every other picture that comes with a previous grab.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from probes.faults import FaultCode
from probes.frame import metrics as m
from probes.frame.baseline import expected_value
from probes.frame.reference import fit_reference

# Thresholds (grey levels 0-255 unless said otherwise), fitted on the training split of the
# judgement benchmark (bench/judgement.py); its test split is only reported (docs/benchmarks.md).
NO_SIGNAL_UNIFORM_SHARE = 0.90  # share of pixels at exactly the modal level (text aside)
NO_SIGNAL_DARK_UNIFORM_SHARE = 0.96  # ... when that level is dark: compression flattens a
NO_SIGNAL_DARK_LEVEL = 24  # ... nearly black scene (JPEG q50 brought one to 0.80)
NO_SIGNAL_MAX_NOISE = 0.5  # a generated screen has no sensor noise; a covered lens has some
NO_SIGNAL_GENERATED_SHARE = 0.96  # pixels repeating their column's or row's level (bars, ramps)
CLIPPED_LEVEL = 247  # a field at or above this level is glare, not a generated screen
FROZEN_MAX_LIVE_SHARE = 0.25  # share of picture regions in which pixels changed at all
DARK_MAX_P99 = 50.0  # nothing in the picture reaches mid-grey ...
DARK_MAX_MEAN = 25.0  # ... and it is dark overall; an evening picture stays above both
BRIGHT_MAX_CLIPPED = 0.20  # share of clipped-white pixels (glare)
BRIGHT_MIN_P5 = 140.0  # even the darkest 5 % is light grey: washed out (IR reflection)
FLAT_LAP = 4.0  # tile Laplacian spread below which a tile is featureless whatever the scene
FLAT_REL = 0.12  # ... or below this share of the picture's typical (90th percentile) tile
WHOLE_VIEW_FLAT_P90 = 3.0  # not even the most detailed tiles have detail: one flat field
COVERED_MIN_SHARE = 0.20  # share of the reference's detailed area that went flat
CONTENT_MIN_STD = 3.0  # tile spread (levels) of a reference tile with shading worth covering
CONTRAST_LOST = 0.6  # ... that lost its contrast: below this share of the reference's spread
NO_REF_COVER_MAX_CONTRAST = 12.5  # without a reference: a featureless view this even is covered,
NO_REF_BLUR_MIN_CONTRAST = 20.0  # ... this contrasted is blur; in between it is not judged
LAYOUT_KEPT_CORRELATION = 0.90  # blur keeps the brightness layout of what went flat; a cover
LAYOUT_KEPT_LEVELS = 6.0  # ... an evenly lit area keeps its level within this many
LAYOUT_MIN_SPREAD = 2.0  # tile-mean spread (levels) needed for the layout test to mean anything
VISIBLE_MIN_MATCH = 0.40  # what a cover leaves visible still matches the reference's layout
VISIBLE_MIN_TILES = 8  # ... when at least this many detailed tiles are left to compare
FEW_VISIBLE_MIN_MATCH = 0.05  # fewer left: the whole picture's alignment peak must reach this
COVERED_WHOLE_SHARE = 0.80  # this much of the reference's content gone: nothing left to compare
SCENE_MAX_SHIFT = 0.03  # share of the width the view may move (shake) before it is "turned"
SCENE_MIN_MATCH = 0.75  # phase-correlation peak below which it is another view
BLUR_MAX_RELATIVE = 0.85  # focus measure as a share of the reference's (mid training gap)
NOISE_MAX_SIGMA = 5.5  # full-resolution luma noise standard deviation (spatial, one grab)
NOISE_BASE_FACTOR = 1.5  # ... or this many times the camera's usual spatial level, plus
NOISE_BASE_MARGIN = 2.0  # ... this margin (texture reads as spatial noise, so it is relative)
TEMPORAL_MAX_SIGMA = 6.0  # noise read from the difference of two grabs, without a baseline
# (a codec adds its own grab-to-grab difference: healthy grain through H.264 at 2 Mbit/s read 4.6)
TEMPORAL_BASE_FACTOR = 1.25  # ... or relative to the camera's usual temporal noise at this hour
TEMPORAL_BASE_MARGIN = 0.8
TEMPORAL_MIN_LIMIT = 2.5  # never below this, however clean the camera usually is, unless
TEMPORAL_MIN_LIMIT_SMEARED = 1.25  # ... the encoder smeared noise: one grab shows none
SMEARED_MAX_SPATIAL = 1.0  # (its spatial estimate under this) while the grabs differ alike in
DIFFERENCE_MIN_ISOTROPY = 0.7  # every direction (rain streaks, near-vertical lines, read below)
TEMPORAL_CORROBORATED = 3.0  # without a baseline: this much grab-to-grab noise is enough when
# ... one grab also reads heavy noise (NOISE_MAX_SIGMA): texture alone never moves between grabs
BLOCKY_FACTOR = 3.0  # an encoder squeezing snow into blocks: this many times the usual blockiness
BLOCKY_TEMPORAL_MARGIN = 0.3  # ... while the grabs differ more than usual (by at least this)
CAST_MAX_RELATIVE = 4.0  # chromaticity percentage points away from the reference's balance
CAST_MAX_ABSOLUTE = 30.0  # ... from neutral grey without a reference (warm scenes reach 24)


# The metrics a person checks to see why a fault was reported (and the limit, where it varies).
DECIDING: dict[FaultCode, tuple[str, ...]] = {
    FaultCode.NO_SIGNAL: ("uniform_share", "generated_share", "noise"),
    FaultCode.BLUR: ("relative_sharpness",),
    FaultCode.TOO_DARK: ("brightness", "p99"),
    FaultCode.OVEREXPOSED: ("bright_share", "p5"),
    FaultCode.COVERED: ("covered_share", "flat_share", "visible_match"),
    FaultCode.FROZEN: ("live_share",),
    FaultCode.SCENE_CHANGED: ("scene_shift", "scene_similarity"),
    FaultCode.NOISY: ("temporal_noise", "noise", "noise_limit", "difference_isotropy"),
    FaultCode.COLOR_CAST: ("colour_cast",),
}


def deciding_metrics(assessment: Assessment) -> dict[str, dict[str, float]]:
    """For each fault of `assessment`, the metric values that decided it: {fault: {name: value}}."""
    return {
        str(fault): {
            name: round(float(assessment.metrics[name]), 3)
            for name in DECIDING.get(fault, ())
            if name in assessment.metrics
        }
        for fault in assessment.faults
    }


@dataclass(frozen=True, slots=True)
class Assessment:
    """Picture faults found in one frame and the metrics they were judged on."""

    faults: list[FaultCode] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no picture fault was found."""
        return not self.faults

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"faults": [...], "metrics": {...}}."""
        return {
            "faults": [str(f) for f in self.faults],
            "metrics": {k: round(float(v), 4) for k, v in self.metrics.items()},
        }


def assess(
    current: np.ndarray,
    previous: np.ndarray | None = None,
    reference: np.ndarray | None = None,
    baseline: Mapping[str, Any] | None = None,
    hour: int | None = None,
    *,
    previous_for_frozen: np.ndarray | None = None,
) -> Assessment:
    """Judge `current` (BGR or grey uint8), against the previous grab and the reference view.

    `previous` must be an independently coded picture from the previous probe (a decoded keyframe
    or a JPEG snapshot, same size): consecutive P-frames of a still scene are identical by design
    of the codec. `reference` is the camera's reference view (see `learn_reference`); without
    one only the unmistakable cover, blur and cast are reported. `previous_for_frozen` is a
    stand-in for the previous grab that is good only for telling which pixels changed (one rebuilt
    from a fingerprint, see `probes.frame.fingerprint.stand_in`): when given, the frozen verdict
    is read from it instead of `previous`, and it never feeds the temporal noise estimate (noise
    is then read from `previous` if that is given too, else from the one grab). ValueError for
    bad input.
    """
    m.check_image(current, "current")
    if previous is not None:
        m.check_image(previous, "previous")
        m.check_same_shape(current, previous, "current and previous")
    if previous_for_frozen is not None:
        m.check_image(previous_for_frozen, "previous_for_frozen")
        m.check_same_shape(current, previous_for_frozen, "current and previous_for_frozen")
    if reference is not None:
        m.check_image(reference, "reference")

    small = m.working_copy(current)
    grey = m.to_grey(small)
    rows = m._noise_rows(current)
    tiles = m.tile_stats(grey)
    tiny = m._tiny(small) if small.ndim == 3 else None
    cdf = np.cumsum(m._histogram(grey)) / grey.size
    p5, p99 = (float(np.searchsorted(cdf, q)) for q in (0.05, 0.99))
    mean, std = cv2.meanStdDev(grey)
    share, level = m._uniform_share(rows)
    values: dict[str, float] = {
        "brightness": float(mean[0, 0]),
        "contrast": float(std[0, 0]),
        "p5": p5,
        "p99": p99,
        "dark_share": float(cdf[8]),
        "bright_share": float(1.0 - cdf[246]),
        "sharpness": float(np.mean(tiles[2] * tiles[2])),
        "noise": m._noise_sigma(rows),
        "uniform_share": share,
        "colourfulness": m._colourfulness(small, tiny),
        "edge_density": m._edge_density(grey),
        "blockiness": m._blockiness(rows),
        "generated_share": m._generated_share(rows),
    }
    faults: list[FaultCode] = []

    if _no_signal(values, share, level):
        return Assessment([FaultCode.NO_SIGNAL], values)

    previous_rows = None
    if previous is not None:
        prev = previous
        previous_rows = m._noise_rows(previous)

        def shift() -> tuple[int, int]:
            return m.view_shift(grey, m.to_grey(m.working_copy(prev)), current.shape[1])

        values["temporal_noise"], moved = m.temporal_shift(
            current, previous, rows, shift, previous_rows
        )
        values["moved_px"] = float(max(abs(moved[0]), abs(moved[1])))
        if moved == (0, 0):
            values["difference_isotropy"] = m.difference_isotropy(rows, previous_rows)
    if previous_for_frozen is not None:
        previous_rows = m._noise_rows(previous_for_frozen)
    if previous_rows is not None:
        changed = m._changed_rows(rows, previous_rows)
        values["changed_share"] = float(np.count_nonzero(changed) / changed.size)
        values["live_share"] = m._live_region_share(changed)
        if values["live_share"] < FROZEN_MAX_LIVE_SHARE:
            faults.append(FaultCode.FROZEN)

    if values["p99"] < DARK_MAX_P99 and values["brightness"] < DARK_MAX_MEAN:
        faults.append(FaultCode.TOO_DARK)
    elif values["bright_share"] >= BRIGHT_MAX_CLIPPED or values["p5"] >= BRIGHT_MIN_P5:
        faults.append(FaultCode.OVEREXPOSED)
    else:
        faults.extend(_judge_content(small, tiny, grey, tiles, reference, values))
    # The camera's healthy ranges were learned on its own view: a view it no longer shows
    # (turned away) is judged on the fixed limits.
    own_view = FaultCode.SCENE_CHANGED not in faults
    if _noisy(values, FaultCode.FROZEN in faults, baseline if own_view else None, hour):
        faults.append(FaultCode.NOISY)
    if FaultCode.FROZEN in faults and {
        FaultCode.TOO_DARK,
        FaultCode.COVERED,
        FaultCode.OVEREXPOSED,
    } & set(faults):
        faults.remove(FaultCode.FROZEN)
    return Assessment(faults, values)


def _no_signal(values: dict[str, float], share: float, level: int) -> bool:
    """A generated "no video" screen: a solid field, colour bars or a ramp, without sensor noise."""
    if values["noise"] >= NO_SIGNAL_MAX_NOISE:
        return False
    needed = (
        NO_SIGNAL_DARK_UNIFORM_SHARE if level < NO_SIGNAL_DARK_LEVEL else NO_SIGNAL_UNIFORM_SHARE
    )
    if share >= needed and level < CLIPPED_LEVEL:  # a clipped white field is glare
        return True
    # A dark picture squeezed by a codec repeats its levels too, and so does a clipped white one:
    # a generated screen is lit, not clipped.
    return (
        values["generated_share"] >= NO_SIGNAL_GENERATED_SHARE
        and values["p99"] >= DARK_MAX_P99
        and values["bright_share"] < BRIGHT_MAX_CLIPPED
    )


def _noisy(
    values: dict[str, float], frozen: bool, baseline: Mapping[str, Any] | None, hour: int | None
) -> bool:
    """Heavy noise: read from two grabs of a still view when there are two, else from one grab.

    Two grabs cancel texture (foliage, gravel, a page of print), which one grab reads as noise,
    and they see codec-smeared noise that a single compressed grab hides. A view that moved since
    the previous grab (wind) is re-encoded differently, so then one grab judges, against the
    camera's baseline.
    """
    temporal = values.get("temporal_noise")
    if temporal is not None and not frozen and values.get("moved_px", 0.0) == 0.0:
        usual = expected_value(baseline, "temporal_noise", hour)
        if usual is None:
            limit = TEMPORAL_MAX_SIGMA
            if values["noise"] >= NOISE_MAX_SIGMA and temporal >= TEMPORAL_CORROBORATED:
                values["noise_limit"] = TEMPORAL_CORROBORATED
                return True
        else:
            # Against the camera's own usual level; the floor guards a camera whose baseline was
            # learned on clean days. It is lower for the face of noise after a low-bitrate
            # encoder: none left in one grab, yet the grabs differ alike in every direction
            # (rain differs in streaks; JPEG keeps noise visible in one grab).
            smeared = (
                values["noise"] < SMEARED_MAX_SPATIAL
                and values.get("difference_isotropy", 0.0) >= DIFFERENCE_MIN_ISOTROPY
            )
            floor = TEMPORAL_MIN_LIMIT_SMEARED if smeared else TEMPORAL_MIN_LIMIT
            limit = max(floor, usual * TEMPORAL_BASE_FACTOR + TEMPORAL_BASE_MARGIN)
        values["noise_limit"] = limit
        if temporal >= limit:
            return True
        # The face of noise after compression: the encoder spends its bits on the noise and
        # leaves blocks; the grabs still differ more than this camera's usually do.
        blocky = expected_value(baseline, "blockiness", hour)
        return (
            usual is not None
            and blocky is not None
            and values["blockiness"] >= BLOCKY_FACTOR * blocky
            and temporal >= usual + BLOCKY_TEMPORAL_MARGIN
        )
    usual = expected_value(baseline, "noise", hour)
    limit = NOISE_MAX_SIGMA
    if usual is not None:
        limit = max(limit, usual * NOISE_BASE_FACTOR + NOISE_BASE_MARGIN)
    values["noise_limit"] = limit
    return values["noise"] >= limit


def _judge_content(
    small: np.ndarray,
    tiny: np.ndarray | None,
    grey: np.ndarray,
    tiles: tuple[np.ndarray, np.ndarray, np.ndarray],
    reference: np.ndarray | None,
    values: dict[str, float],
) -> list[FaultCode]:
    """Faults that need a well-exposed picture: view, cover, focus, colour."""
    mean_t, _, lap_t = tiles
    typical = float(m.percentile_of(lap_t, 90))
    flat = lap_t < max(FLAT_LAP, FLAT_REL * typical)
    whole_view_flat = typical < WHOLE_VIEW_FLAT_P90
    values["flat_share"] = float(flat.mean())
    chroma = m._chroma(small, tiny)

    if reference is None:
        # Without a reference a sky, a wall or a warm-lit scene looks like a fault, so only the
        # unmistakable is reported: a view with no detail anywhere (a flat field is a cover, a
        # layout without detail is blur) and an extreme cast.
        values["covered_share"] = 1.0 if whole_view_flat else values["flat_share"]
        values["relative_sharpness"] = m._relative_sharpness(tiles[1], lap_t, tiles[1])
        values["colour_cast"] = m._colour_cast(chroma, None)
        if whole_view_flat and values["contrast"] < NO_REF_COVER_MAX_CONTRAST:
            return [FaultCode.COVERED]
        if whole_view_flat and values["contrast"] >= NO_REF_BLUR_MIN_CONTRAST:
            return [FaultCode.BLUR]
        return [FaultCode.COLOR_CAST] if values["colour_cast"] >= CAST_MAX_ABSOLUTE else []

    known = _reference_stats(reference, small)
    ref_grey = known.grey
    ref_mean, ref_std, _ = known.tiles
    ref_detailed = known.detailed
    # Where the reference has something to lose: fine detail, or at least shading (a smooth,
    # low-detail view such as a wall with a door, a field, an unlit yard has shading only).
    # Where the reference has something to lose: fine detail, or at least shading (a smooth,
    # low-detail area such as a wall with a door, a field, the sky has shading only).
    shaded = (ref_std >= CONTENT_MIN_STD) & ~ref_detailed
    content = ref_detailed | shaded
    # A view with no fine detail left anywhere is evidence only if the reference had some.
    all_detail_gone = whole_view_flat and not known.flat_view
    lost_detail = ref_detailed if all_detail_gone else flat & ref_detailed
    # A tile with shading and no fine detail shows a cover as lost contrast: its spread fell
    # well below the reference's.
    newly_flat = lost_detail | (shaded & (tiles[1] < CONTRAST_LOST * ref_std))
    values["covered_share"] = float(newly_flat.sum() / max(int(content.sum()), 1))
    values["scene_shift"], values["scene_similarity"] = m._alignment(grey, ref_grey, known.align)
    # A view that went flat where the reference had content is covered, unless what went flat
    # kept its brightness layout (that is blur, fog), or what is left visible does not match
    # the reference where it was (that is a new view). A cover spoils the alignment of the whole
    # picture, so the rest is compared in place; with too little left to compare, the alignment
    # must still say the view did not move.
    covered = (
        values["covered_share"] >= COVERED_MIN_SHARE
        and not _layout_kept(mean_t, ref_mean, newly_flat)
        and (
            all_detail_gone
            or values["covered_share"] >= COVERED_WHOLE_SHARE
            or (
                values["scene_shift"] < SCENE_MAX_SHIFT
                and _rest_matches(grey, ref_grey, content & ~flat & ~_grown(newly_flat), values)
            )
        )
    )
    if covered:
        return [FaultCode.COVERED]
    if values["scene_shift"] >= SCENE_MAX_SHIFT or values["scene_similarity"] < SCENE_MIN_MATCH:
        return [FaultCode.SCENE_CHANGED]

    faults = []
    ref_focus = known.focus
    focus = m._relative_sharpness(tiles[1], lap_t, ref_std)
    values["relative_sharpness"] = focus / ref_focus if ref_focus > 0 else 1.0
    if values["relative_sharpness"] < BLUR_MAX_RELATIVE:
        faults.append(FaultCode.BLUR)
    ref_chroma = known.chroma
    values["colour_cast"] = m._colour_cast(chroma, ref_chroma)
    limit = CAST_MAX_RELATIVE if ref_chroma is not None else CAST_MAX_ABSOLUTE
    if values["colour_cast"] >= limit:
        faults.append(FaultCode.COLOR_CAST)
    return faults


@dataclass(frozen=True, slots=True)
class _ReferenceStats:
    """What the judgement reads from a reference view, computed once per reference content."""

    grey: np.ndarray
    tiles: tuple[np.ndarray, np.ndarray, np.ndarray]
    detailed: np.ndarray
    flat_view: bool  # no fine detail anywhere in the reference (a low-detail view)
    align: np.ndarray
    focus: float
    chroma: tuple[np.ndarray, float] | None


_REFERENCE_CACHE: OrderedDict[tuple[Any, ...], _ReferenceStats] = OrderedDict()
# A few: ~115 kB each at 720p. A fleet probes its cameras round-robin, so a cache smaller than
# the fleet never hits there (256 entries held 29 MB for nothing); it serves a camera judged
# several times in a row (a sweep of its probe kinds, a technician's checks, the benchmark).
_REFERENCE_CACHE_SIZE = 16


def _reference_stats(reference: np.ndarray, small: np.ndarray) -> _ReferenceStats:
    """The reference's statistics at the working size of `small`, cached by content: the monitor
    decodes the same stored reference again for every probe of a camera."""
    key = (reference.shape, small.shape, zlib.crc32(np.ascontiguousarray(reference).data))
    known = _REFERENCE_CACHE.get(key)
    if known is not None:
        _REFERENCE_CACHE.move_to_end(key)
        return known
    ref = fit_reference(reference, small)
    grey = m.to_grey(ref)
    tiles = m.tile_stats(grey)
    typical = float(m.percentile_of(tiles[2], 90))
    known = _ReferenceStats(
        grey=grey,
        tiles=tiles,
        detailed=tiles[2] >= max(2 * FLAT_LAP, 2 * FLAT_REL * typical),
        flat_view=typical < WHOLE_VIEW_FLAT_P90,
        align=m._align_prep(grey),
        focus=m._relative_sharpness(tiles[1], tiles[2], tiles[1]),
        chroma=m._chroma(ref) if ref.ndim == 3 else None,
    )
    _REFERENCE_CACHE[key] = known
    while len(_REFERENCE_CACHE) > _REFERENCE_CACHE_SIZE:
        _REFERENCE_CACHE.popitem(last=False)
    return known


def _rest_matches(
    grey: np.ndarray,
    ref_grey: np.ndarray,
    visible: np.ndarray,
    values: dict[str, float],
) -> bool:
    """True when the tiles a cover left visible still show the reference's layout in place."""
    if int(visible.sum()) < VISIBLE_MIN_TILES:
        # Too little left to compare: the cover itself is the evidence if the whole picture
        # still lines up with the reference at all (a turned low-detail view does not).
        return values["scene_similarity"] >= FEW_VISIBLE_MIN_MATCH
    mask = np.kron(visible, np.ones((4, 4), dtype=bool))
    layout_match = m.correlation(m.layout(grey), m.layout(ref_grey), mask)
    # A texture (foliage, gravel, print) has no coarse layout to match, but its fine pattern
    # still lines up with the reference where the view is uncovered and unmoved.
    fine = np.kron(visible, np.ones((m.TILE, m.TILE), dtype=bool))
    rows, cols = fine.shape
    fine_match = m.correlation(grey[:rows, :cols], ref_grey[:rows, :cols], fine)
    values["visible_match"] = max(layout_match, fine_match)
    return values["visible_match"] >= VISIBLE_MIN_MATCH


def _grown(region: np.ndarray) -> np.ndarray:
    """`region` grown by one tile each way (a cover's out-of-focus edge half covers its tiles)."""
    return cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)


def _layout_kept(mean_t: np.ndarray, ref_mean: np.ndarray, region: np.ndarray) -> bool:
    """True when the tiles in `region` keep the reference's brightness layout (blur, fog)."""
    if int(region.sum()) < 3:
        return True
    if float(ref_mean[region].std()) >= LAYOUT_MIN_SPREAD:
        return m.correlation(mean_t, ref_mean, region) >= LAYOUT_KEPT_CORRELATION
    # The area was evenly lit in the reference: only its level can tell a cover from blur.
    rest = ~region
    gain = float(mean_t[rest].sum() / max(float(ref_mean[rest].sum()), 1.0)) if rest.any() else 1.0
    return float(np.median(np.abs(mean_t[region] - gain * ref_mean[region]))) < LAYOUT_KEPT_LEVELS
