"""Noise judged through a real RTSP server: ffmpeg encodes a still scene with H.264 at 2 Mbit/s
(1280x720, keyframe every second), the rtsp probe decodes one keyframe per probe, and the
assessor judges it against the previous probe's keyframe, the reference view and the baseline
learned from the camera's healthy probes - the path the service takes for an RTSP camera.

A scene with heavy sensor noise must be `noisy` even though the encoder smears the noise into
blocks; a healthy scene of fine gravel texture with light grain must stay clean.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from bench.judgement_cases import HEIGHT, HOME, WIDTH, Scene, _scene_world
from probes import rtsp
from probes.faults import FaultCode
from probes.frame import Assessment, assess, learn_reference, update_baseline
from probes.result import Deadline, ProbeConfig, ProbeTarget
from tests.peers import hostile_stream as hostile
from tests.peers import rtsp_source as rtsp_source_module
from tests.peers.rtsp_source import RtspSource

rtsp_source = rtsp_source_module.rtsp_source

GRAIN = 6  # ffmpeg noise strength of a healthy, slightly grainy sensor (sigma about 3.5)
SNOW = 45  # a failing sensor or cable interference (sigma about 26)
HOUR = 10
ENCODER_SETTLE_SECONDS = 8.0


@pytest.fixture(scope="module")
def gravel_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1280x720 view of fine gravel texture: where a one-grab noise estimate cries wolf."""
    scene = Scene("gravel", "gravel", texture_scale=1.0, tint=(0.8, 0.9, 1.0))
    world = _scene_world(scene, np.random.default_rng(5))
    view = world[HOME[1] : HOME[1] + HEIGHT, HOME[0] : HOME[0] + WIDTH]
    path = tmp_path_factory.mktemp("scene") / "gravel.png"
    cv2.imwrite(str(path), view)
    return path


def _source(factory: Callable[..., RtspSource], picture: Path, noise: int) -> RtspSource:
    return factory(
        host=hostile.loopback_address(),
        width=WIDTH,
        height=HEIGHT,
        fps=10,
        gop_seconds=1.0,
        picture=str(picture),
        noise=noise,
        bitrate="2M",
    )


async def _keyframes(src: RtspSource, count: int) -> list[np.ndarray]:
    """`count` probes of the stream, each decoding its own keyframe (as the service probes)."""
    target = ProbeTarget(code="NOISE-1", host=src.host, rtsp_url=src.url)
    frames = []
    for _ in range(count):
        result = await rtsp.probe(target, ProbeConfig(), deadline=Deadline(8.0))
        assert result.ok, result.reason
        frames.append(result.frame)
    return frames


class Camera:
    """One camera's memory in the service: previous grab, reference view, baseline."""

    def __init__(self, healthy: list[np.ndarray]) -> None:
        self.reference = learn_reference(healthy[:3])
        self.baseline: dict[str, Any] | None = None
        self.previous = healthy[0]
        for frame in healthy[1:]:
            verdict = self.judge(frame)
            assert verdict.ok, verdict.to_dict()

    def judge(self, frame: np.ndarray) -> Assessment:
        """Judge a grab as the service does; a healthy one is learned into the baseline."""
        verdict = assess(frame, self.previous, self.reference, self.baseline, HOUR)
        if verdict.ok:
            self.baseline = update_baseline(self.baseline, verdict, HOUR)
        self.previous = frame
        return verdict


async def test_heavy_sensor_noise_through_h264_is_noisy_and_grain_is_not(
    rtsp_source: Callable[..., RtspSource], gravel_png: Path
) -> None:
    healthy_src = _source(rtsp_source, gravel_png, GRAIN)
    # A camera's encoder has been running for days when it is probed. Freshly started, x264
    # steps its quantiser during the first seconds: on this grainy view keyframes of the first
    # ~6 s differed from later ones by up to 8.5 grey levels, settled ones by 2.4-2.9. A probe
    # that missed a keyframe under load compared two steps and read healthy grain as noise.
    await asyncio.sleep(ENCODER_SETTLE_SECONDS)
    healthy = await _keyframes(healthy_src, 6)
    cam = Camera(healthy[:4])
    # The healthy grainy texture stays clean on later probes.
    for frame in healthy[4:]:
        verdict = cam.judge(frame)
        assert verdict.faults == [], verdict.to_dict()
    healthy_src.stop()

    # The sensor fails: the same view, now with heavy noise before the encoder.
    noisy = await _keyframes(_source(rtsp_source, gravel_png, SNOW), 3)
    verdicts = [cam.judge(frame) for frame in noisy]
    # The first noisy grab is compared with a clean one; every noisy grab must be called noisy.
    shown = [
        {k: round(v.metrics.get(k, -1), 2) for k in ("temporal_noise", "noise_limit", "blockiness")}
        for v in verdicts
    ]
    assert all(FaultCode.NOISY in v.faults for v in verdicts), (shown, cam.baseline)
    # ...and the encoder really did hide it from a one-grab estimate (what the issue found).
    assert all(v.metrics["noise"] < 5.5 for v in verdicts), [v.metrics["noise"] for v in verdicts]
