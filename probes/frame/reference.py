"""A camera's reference view: what its picture looks like when healthy, at the working size.

The reference is kept small (WORK_WIDTH pixels wide, e.g. 320 x 180 for 16:9) so the monitor can
store one per camera as PNG/JPEG; a technician replaces it after a deliberate re-aim.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from probes.frame.metrics import check_image, working_copy, working_size


def learn_reference(frames: Sequence[np.ndarray]) -> np.ndarray:
    """Build a reference view from healthy frames: per-pixel median of their working copies."""
    if len(frames) == 0:
        raise ValueError("learn_reference needs at least one healthy frame")
    first = check_image(frames[0], "frames[0]")
    size = working_size(first.shape)
    smalls = []
    for index, frame in enumerate(frames):
        check_image(frame, f"frames[{index}]")
        if frame.ndim != first.ndim:
            raise ValueError("frames mix greyscale and colour pictures")
        smalls.append(working_copy(frame, size))
    if len(smalls) == 1:
        return smalls[0].copy()
    # The median drops what passes through the view (people, cars) and the sensor noise.
    median: np.ndarray = np.median(np.stack(smalls), axis=0).round().astype(np.uint8)
    return median


def fit_reference(reference: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """The reference resized to the working size of `frame` (and made grey if `frame` is grey)."""
    check_image(reference, "reference")
    size = working_size(frame.shape)
    if (reference.shape[1], reference.shape[0]) != size:
        shrinking = reference.shape[1] >= size[0]
        reference = cv2.resize(
            reference, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        )
    if frame.ndim == 2 and reference.ndim == 3:
        reference = cv2.cvtColor(reference, cv2.COLOR_BGR2GRAY)
    return reference


def update_reference(reference: np.ndarray, frame: np.ndarray, weight: float = 0.05) -> np.ndarray:
    """Blend a healthy frame into the reference (exponential moving average with `weight`)."""
    if not 0.0 < weight <= 1.0:
        raise ValueError(f"weight must be in (0, 1], got {weight}")
    check_image(frame, "frame")
    reference = fit_reference(reference, frame)
    if frame.ndim == 3 and reference.ndim == 2:
        reference = cv2.cvtColor(reference, cv2.COLOR_GRAY2BGR)
    small = working_copy(frame, (reference.shape[1], reference.shape[0]))
    return cv2.addWeighted(reference, 1.0 - weight, small, weight, 0.0)
