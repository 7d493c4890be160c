"""Evidence a repair crew can read: the grab beside the reference view, the changed or covered
region outlined, and the metric values that decided the verdict written under the pictures."""

from __future__ import annotations

import cv2
import numpy as np

from probes.frame import Assessment, deciding_metrics
from probes.frame import metrics as m

PANEL_WIDTH = 480
CAPTION_HEIGHT = 46
OUTLINE = (0, 0, 255)  # red (BGR)
_CHANGED_LEVELS = 24.0  # tile-mean difference (grey levels, after matching exposure) worth a frame


def changed_tiles(frame: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Tiles (working-copy grid) where the grab no longer shows the reference: the level changed
    beyond exposure, or detail vanished (cover, blur) or appeared (another view)."""
    grey = m.to_grey(m.working_copy(frame))
    ref = m.to_grey(
        cv2.resize(reference, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_AREA)
    )
    mean, _, lap = m.tile_stats(grey)
    ref_mean, _, ref_lap = m.tile_stats(ref)
    # Exposure from the typical tile, so a bright cover does not make the rest look changed.
    gain = float(np.median(mean / np.maximum(ref_mean, 1.0)))
    level = np.abs(mean - gain * ref_mean) >= _CHANGED_LEVELS
    detail = np.maximum(lap, 1.0) / np.maximum(ref_lap, 1.0)
    vanished = (ref_lap >= 8.0) & (detail < 0.35)
    appeared = (lap >= 8.0) & (detail > 3.0)
    return level | vanished | appeared


def evidence_jpeg(
    frame: np.ndarray, reference: np.ndarray | None, assessment: Assessment, quality: int = 75
) -> bytes:
    """Side-by-side JPEG: the grab (changed region outlined) | the reference, the verdict below."""
    height = max(1, round(frame.shape[0] * PANEL_WIDTH / frame.shape[1]))
    grab = _panel(frame, height)
    if reference is not None:
        ref = _panel(reference, height)
        tiles = changed_tiles(frame, reference)
        if tiles.any() and not tiles.all():
            _outline(grab, tiles)
        elif tiles.all():
            cv2.rectangle(grab, (2, 2), (PANEL_WIDTH - 3, height - 3), OUTLINE, 3)
    else:
        ref = np.full_like(grab, 64)
        cv2.putText(
            ref,
            "no reference view",
            (20, height // 2),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.8,
            (255, 255, 255),
            2,
            cv2.LINE_AA,
        )
    cv2.putText(
        grab, "now", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA
    )
    cv2.putText(
        ref, "reference", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA
    )
    caption = np.zeros((CAPTION_HEIGHT, 2 * PANEL_WIDTH, 3), np.uint8)
    lines = _caption(assessment)
    for i, line in enumerate(lines[:2]):
        cv2.putText(
            caption,
            line,
            (8, 18 + 20 * i),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            (255, 255, 255),
            1,
            cv2.LINE_AA,
        )
    image = np.vstack([np.hstack([grab, ref]), caption])
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("evidence cannot be encoded as JPEG")
    return data.tobytes()


def _panel(image: np.ndarray, height: int) -> np.ndarray:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    shrinking = image.shape[1] >= PANEL_WIDTH
    return cv2.resize(
        image,
        (PANEL_WIDTH, height),
        interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR,
    )


def _outline(panel: np.ndarray, tiles: np.ndarray) -> None:
    mask = cv2.resize(
        tiles.astype(np.uint8) * 255,
        (panel.shape[1], panel.shape[0]),
        interpolation=cv2.INTER_NEAREST,
    )
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(panel, contours, -1, OUTLINE, 3)


def _caption(assessment: Assessment) -> list[str]:
    faults = ", ".join(map(str, assessment.faults)) or "healthy"
    numbers = "  ".join(
        f"{name}={value:.2f}"
        for values in deciding_metrics(assessment).values()
        for name, value in values.items()
    )
    return [f"faults: {faults}", numbers]
