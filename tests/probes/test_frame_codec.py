"""Frozen or live through real codecs: H.264 keyframes (libx264 via PyAV) and JPEG snapshots.

The rtsp probe hands assess() one decoded keyframe per probe and the snapshot probe one JPEG, so
`previous` is always an independently coded picture. (Two consecutive P-frames of a still scene are
identical by the codec's design, and a frozen sensor behind a still-running encoder yields keyframes
that differ by rate-control residue: neither is something a pixel comparison can settle.)
"""

from __future__ import annotations

import io

import av
import cv2
import numpy as np
import pytest

from bench.judgement_cases import Camera, _photo, _world
from probes.faults import FaultCode
from probes.frame import assess, learn_reference


def h264_keyframes(frames: list[np.ndarray], crf: int) -> list[np.ndarray]:
    """Encode BGR frames with libx264 (a keyframe every 5), decode, return the keyframes."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.options = {"crf": str(crf), "preset": "ultrafast", "g": "5"}
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")))
        container.mux(stream.encode())
    buffer.seek(0)
    with av.open(buffer) as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0) if f.key_frame]


@pytest.fixture(scope="module")
def cam() -> Camera:
    """A camera on the rocket photo: dark sky, the flattest scene of the set."""
    return Camera("rocket", _world(_photo("rocket")), seed=21, camera_id=9)


@pytest.mark.parametrize("crf", [23, 35])
def test_h264_keyframes_of_a_live_still_scene_are_not_frozen(cam, crf) -> None:
    keys = h264_keyframes([cam.grab(noise=1.0) for _ in range(11)], crf)
    assert len(keys) >= 3
    reference = learn_reference(keys[:1])
    assert assess(keys[2], keys[1], reference).faults == []


def test_a_decoder_repeating_its_last_keyframe_is_frozen(cam) -> None:
    keys = h264_keyframes([cam.grab(noise=1.0) for _ in range(6)], 28)
    repeated = keys[-1]
    assert assess(repeated, repeated.copy(), learn_reference(keys[:1])).faults == [FaultCode.FROZEN]


def jpeg(image: np.ndarray) -> np.ndarray:
    """The picture as a camera's snapshot URI serves it: JPEG-encoded, then decoded."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def test_jpeg_snapshots_live_versus_frozen_buffer_with_a_ticking_clock(cam) -> None:
    reference = learn_reference([cam.grab() for _ in range(3)])
    assert assess(jpeg(cam.grab()), jpeg(cam.grab()), reference).faults == []
    stuck = cam.grab(osd=False)
    frozen = assess(jpeg(cam.stamp(stuck, 61)), jpeg(cam.stamp(stuck, 60)), reference)
    assert frozen.faults == [FaultCode.FROZEN]


@pytest.mark.parametrize("quality", [90, 50])
def test_jpeg_keeps_heavy_noise_noisy_and_a_black_scene_too_dark(cam, quality) -> None:
    reference = learn_reference([cam.grab() for _ in range(3)])
    params = [cv2.IMWRITE_JPEG_QUALITY, quality]

    def snap(image: np.ndarray) -> np.ndarray:
        return cv2.imdecode(cv2.imencode(".jpg", image, params)[1], cv2.IMREAD_COLOR)

    noisy = assess(snap(cam.grab(noise=12.0)), snap(cam.grab(noise=12.0)), reference)
    assert noisy.faults == [FaultCode.NOISY]
    # Compression flattens a nearly black scene into something like a black "no video" field.
    dark = assess(snap(cam.grab(gain=0.04)), snap(cam.grab(gain=0.04)), reference)
    assert dark.faults == [FaultCode.TOO_DARK]
