"""Judging decoded pictures: previous grabs, reference views, thumbnails."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import cv2
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.errors import NotFound
from monitor.core.localtime import to_local
from monitor.core.models import Camera, CameraStatus, ReferenceView, utcnow
from monitor.monitoring.evidence import evidence_jpeg
from probes.frame import Assessment, assess, learn_reference, update_baseline, update_reference
from probes.frame.fingerprint import Fingerprint, fingerprint, stand_in

THUMBNAIL_WIDTH = 320
# Healthy frames blended into a new reference before it settles; later ones move it slowly.
LEARNING_FRAMES = 20
SETTLED_WEIGHT = 0.02
# A settled view is blended with one healthy grab in this many, at as many times the weight:
# the same drift, a fraction of the PNG encodes and of the rows rewritten.
SETTLED_EVERY = 4

# Largest reference image a technician may upload (a camera snapshot is far smaller).
MAX_IMAGE_BYTES = 10 * 1024 * 1024


class FrameMemory:
    """The previous grab of some cameras, in memory (bounded), for the temporal noise estimate.

    Frozen detection does not need it (the stored fingerprint serves). Comparing the noise of two
    grabs needs the previous grab's pixels, megabytes each. Probes come round-robin, so a memory
    that evicted its oldest grab for a new camera's would never hold the grab asked for once the
    fleet outgrows it; instead the cameras that filled it keep their places, and the others are
    judged on one grab against their baseline.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._frames: dict[int, np.ndarray] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def swap(self, camera_id: int, frame: np.ndarray) -> np.ndarray | None:
        """Remember `frame` as the camera's latest grab if it has room; return the grab before it
        (same shape), if any."""
        with self._lock:
            previous = self._frames.pop(camera_id, None)
            if previous is not None:
                self._bytes -= previous.nbytes
            if self._bytes + frame.nbytes <= self.max_bytes:
                self._frames[camera_id] = frame
                self._bytes += frame.nbytes
        if previous is not None and previous.shape != frame.shape:
            return None
        return previous


def encode_png(image: np.ndarray) -> bytes:
    """Lossless PNG bytes of an image (fast compression: re-encoded as the view is learned)."""
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise ValueError("image cannot be encoded as PNG")
    return data.tobytes()


def decode_image(data: bytes) -> np.ndarray:
    """Decode JPEG/PNG bytes; ValueError when they are not an image."""
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error as exc:  # e.g. declared dimensions beyond OpenCV's pixel limit
        raise ValueError("the image cannot be decoded") from exc
    if image is None:
        raise ValueError("not a JPEG or PNG image")
    if min(image.shape[:2]) < 16:
        raise ValueError("the image is too small to serve as a view (at least 16 x 16 pixels)")
    return image


def thumbnail_jpeg(frame: np.ndarray, width: int = THUMBNAIL_WIDTH, quality: int = 70) -> bytes:
    """A small JPEG of a frame, as evidence on state changes and tickets."""
    height = max(1, round(frame.shape[0] * width / frame.shape[1]))
    small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("frame cannot be encoded as JPEG")
    return data.tobytes()


@dataclass(frozen=True, slots=True)
class StoredView:
    """What the picture judgement reads of a camera's reference view."""

    image_png: bytes
    baseline: dict[str, Any] | None
    locked: bool
    frames_learned: int


@dataclass(frozen=True, slots=True)
class PictureContext:
    """What a grab of one camera is judged against, read before judging (no lock held)."""

    camera_id: int
    fingerprint: bytes | None
    view: StoredView | None


@dataclass(frozen=True, slots=True)
class Learned:
    """What a healthy grab teaches: the blended reference (None: unchanged) and the baseline."""

    image_png: bytes | None
    baseline: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PictureVerdict:
    """The assessment of one grab, its evidence picture and what it leaves for the next grab.

    `thumbnail` is a small JPEG of a healthy grab, or for a picture fault the grab beside the
    reference view with the changed region outlined and the deciding metric values under it.
    """

    context: PictureContext
    assessment: Assessment
    thumbnail: bytes
    fingerprint: bytes
    learned: Learned | None


def read_context(session: Session, camera_id: int) -> PictureContext:
    """The camera's previous fingerprint and reference view, as stored now (one query)."""
    row = session.execute(
        select(
            CameraStatus.frame_fingerprint,
            ReferenceView.image_png,
            ReferenceView.baseline,
            ReferenceView.locked,
            ReferenceView.frames_learned,
        )
        .select_from(Camera)
        .outerjoin(CameraStatus, CameraStatus.camera_id == Camera.id)
        .outerjoin(ReferenceView, ReferenceView.camera_id == Camera.id)
        .where(Camera.id == camera_id)
    ).one_or_none()
    if row is None:
        return PictureContext(camera_id, None, None)
    view = (
        StoredView(bytes(row.image_png), row.baseline, bool(row.locked), row.frames_learned)
        if row.image_png is not None
        else None
    )
    return PictureContext(camera_id, row.frame_fingerprint, view)


def judge_picture(
    context: PictureContext,
    frame: np.ndarray,
    memory: FrameMemory | None = None,
    now: datetime | None = None,
) -> PictureVerdict:
    """Assess a grab against the previous one, the reference and the camera's baseline at this
    local hour, and work out what a healthy grab teaches (CPU only: no database, no lock).

    Frozen is decided on the previous grab's fingerprint, stored with the camera's state (it
    survives restarts, every worker sees it, 4.6 kB at any picture size). The temporal noise
    estimate needs the previous grab's real pixels: only while `memory` still holds them.
    """
    current_print = fingerprint(frame)
    stand_in_previous = stand_in(
        frame, Fingerprint.from_bytes(context.fingerprint), current_print=current_print
    )
    previous = memory.swap(context.camera_id, frame) if memory is not None else None
    view = context.view
    reference = decode_image(view.image_png) if view is not None else None
    hour = to_local(now or utcnow()).hour
    baseline = view.baseline if view is not None else None
    assessment = assess(
        frame, previous, reference, baseline, hour, previous_for_frozen=stand_in_previous
    )
    if not assessment.ok:
        evidence = evidence_jpeg(frame, reference, assessment)
        return PictureVerdict(context, assessment, evidence, current_print.to_bytes(), None)
    learned = Learned(
        _learned_image(view, reference, frame), update_baseline(baseline, assessment, hour)
    )
    return PictureVerdict(
        context, assessment, thumbnail_jpeg(frame), current_print.to_bytes(), learned
    )


def _learned_image(
    view: StoredView | None, reference: np.ndarray | None, frame: np.ndarray
) -> bytes | None:
    """The reference blended with a healthy grab, when this grab is one to blend."""
    if view is None or reference is None:
        return encode_png(learn_reference([frame]))
    if view.locked:
        return None
    if view.frames_learned < LEARNING_FRAMES:
        weight = 1.0 / (view.frames_learned + 1)
    elif (view.frames_learned - LEARNING_FRAMES) % SETTLED_EVERY:
        return None
    else:
        weight = SETTLED_WEIGHT * SETTLED_EVERY
    return encode_png(update_reference(reference, frame, weight))


def store_verdict(session: Session, status: CameraStatus, verdict: PictureVerdict) -> None:
    """Keep what the grab leaves for the next one: its fingerprint, the learned view, baseline.

    The view was read before judging, without a lock: when it changed meanwhile (a technician
    set or reset it, another grab was learned), this grab's lesson is dropped, not merged.
    """
    status.frame_fingerprint = verdict.fingerprint
    learned = verdict.learned
    if learned is None:
        return
    read = verdict.context.view
    view = session.get(ReferenceView, status.camera_id)
    if view is None:
        if read is None and learned.image_png is not None:
            session.add(
                ReferenceView(
                    camera_id=status.camera_id,
                    image_png=learned.image_png,
                    frames_learned=1,
                    baseline=learned.baseline,
                    updated_by="learned",
                )
            )
        return
    if read is None or view.frames_learned != read.frames_learned or view.locked != read.locked:
        return
    view.baseline = learned.baseline
    if not view.locked:
        view.frames_learned += 1
    if learned.image_png is not None:
        view.image_png = learned.image_png
        view.updated_at = utcnow()


def set_reference(
    session: Session, camera_id: int, image: np.ndarray, username: str
) -> ReferenceView:
    """A technician's reference view after a deliberate re-aim: kept, not learned over."""
    png = encode_png(learn_reference([image]))
    view = session.get(ReferenceView, camera_id)
    if view is None:
        view = ReferenceView(camera_id=camera_id, image_png=png)
        session.add(view)
    view.image_png = png
    view.locked = True
    view.frames_learned = 1
    view.baseline = None  # a new aim: its healthy ranges are learned again
    view.updated_by = username
    view.updated_at = utcnow()
    return view


def forget_reference(session: Session, camera_id: int) -> None:
    """Drop the reference view so it is learned again from the next healthy frames."""
    view = session.get(ReferenceView, camera_id)
    if view is not None:
        session.delete(view)


def stored_thumbnail(
    session: Session, camera: Camera, which: Literal["last_good", "last_fault"]
) -> bytes:
    """The camera's last good or last faulty picture as stored (JPEG); NotFound when none yet."""
    status = session.get(CameraStatus, camera.id)
    data = getattr(status, f"{which}_jpeg", None) if status else None
    if not data:
        raise NotFound(f"no {which.replace('_', ' ')} picture of {camera.code}")
    return bytes(data)


def stored_reference(session: Session, camera: Camera) -> ReferenceView:
    """The camera's reference view; NotFound while it has none yet."""
    view = session.get(ReferenceView, camera.id)
    if view is None:
        raise NotFound(f"camera {camera.code!r} has no reference view yet")
    return view
