"""Real RTSP video of the RTSP subset (ipycam's server + ffmpeg), decoded with PyAV."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import av
import cv2
import numpy as np

from monitor.simulator import PictureKind, SimCamera, SimulatedFleet
from probes import rtsp
from probes.result import Deadline, ProbeConfig, ProbeTarget


def _first_frame(url: str) -> np.ndarray:
    options = {"rtsp_transport": "tcp", "analyzeduration": "500000", "probesize": "65536"}
    with av.open(url, options=options, timeout=10) as container:
        for frame in container.decode(video=0):
            return frame.to_ndarray(format="bgr24")
    raise AssertionError("the stream ended without a frame")


async def test_rtsp_subset_camera_streams_its_picture(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(2, rtsp_count=2)  # healthy and blurred
    assert [c.picture for c in cams] == [PictureKind.HEALTHY, PictureKind.BLURRED]
    async with SimulatedFleet(cams):
        sharp, blurred = await asyncio.gather(
            asyncio.to_thread(_first_frame, cams[0].rtsp_url),
            asyncio.to_thread(_first_frame, cams[1].rtsp_url),
        )
    assert sharp.shape == blurred.shape == (360, 640, 3)
    assert "@" not in cams[0].rtsp_url

    def sharpness(img: np.ndarray) -> float:
        # Edge strength at quarter size, where sensor noise averages out and edges remain.
        grey = cv2.resize(
            cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (160, 90), interpolation=cv2.INTER_AREA
        ).astype(float)
        return float(np.abs(np.diff(grey, axis=1)).mean())

    assert sharpness(sharp) > 2 * sharpness(blurred)


async def _connects(address: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(address, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def test_rtsp_probe_decodes_the_stream_and_offline_closes_it(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(1, rtsp_count=1)
    cam = cams[0]
    async with SimulatedFleet(cams) as fleet:
        # The RTSP port (0: pick a free one) is known once the fleet runs.
        target = ProbeTarget(
            code=cam.code,
            host=cam.address,
            rtsp_port=cam.rtsp_port,
            rtsp_url=cam.rtsp_url,
            expected_width=cam.width,
            expected_height=cam.height,
            expected_codec="h264",
        )
        result = await rtsp.probe(target, ProbeConfig(), deadline=Deadline(8))
        await fleet.set_faults(cam.code, offline=True)
        closed = await _connects(cam.address, cam.rtsp_port)
        await fleet.set_faults(cam.code, offline=False)
        reopened = await _connects(cam.address, cam.rtsp_port)
    assert result.ok, result.reason
    assert result.frame.shape == (cam.height, cam.width, 3)
    assert (closed, reopened) == (False, True)
