"""The project's own probes and assessor against the simulated fleet: each fault is recognised."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from monitor.simulator import PICTURE_FAULT_CODES, PictureKind, SimCamera, SimulatedFleet
from monitor.simulator.scene import PictureSource, encode_jpeg
from probes import onvif, snapshot
from probes.frame import assess
from probes.result import Deadline, ProbeConfig, ProbeTarget


def _target(cam: SimCamera) -> ProbeTarget:
    return ProbeTarget(
        code=cam.code,
        host=cam.address,
        onvif_port=cam.onvif_port,
        rtsp_port=cam.rtsp_port,
        username=cam.username,
        password=cam.password,
        rtsp_url=cam.rtsp_url,
        snapshot_url=cam.snapshot_url,
        expected_width=cam.width,
        expected_height=cam.height,
        expected_codec="h264",
    )


FAULTS = {
    "healthy": ({}, []),
    "auth": ({"device_password": "someone-changed-it"}, ["auth_failed"]),
    "clock": ({"clock_offset_seconds": -2000.0}, ["clock_drift"]),
    "storage": ({"storage_failure": True}, ["storage_failure"]),
    "onvif_error": ({"faulty_operations": frozenset({"GetProfiles"})}, ["onvif_error"]),
}


async def test_onvif_probe_reports_each_simulated_fault(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(len(FAULTS))
    for cam, (changes, _) in zip(cams, FAULTS.values(), strict=True):
        for name, value in changes.items():
            setattr(cam.faults, name, value)
    try:
        async with SimulatedFleet(cams):
            results = [
                await onvif.probe(_target(c), ProbeConfig(), deadline=Deadline(8)) for c in cams
            ]
    finally:
        await onvif.close_all()
    got = {name: [str(f) for f in r.faults] for name, r in zip(FAULTS, results, strict=True)}
    assert got == {name: expected for name, (_, expected) in FAULTS.items()}
    assert results[0].ok


@pytest.mark.parametrize(("password", "fault"), [(None, None), ("wrong", "auth_failed")])
async def test_snapshot_probe_fetches_the_picture(
    one_camera: SimulatedFleet, password: str | None, fault: str | None
) -> None:
    cam = next(iter(one_camera.cameras.values()))
    if password is not None:
        await one_camera.set_faults(cam.code, device_password=password)
    result = await snapshot.probe(_target(cam), ProbeConfig(), deadline=Deadline(5))
    assert [str(f) for f in result.faults] == ([fault] if fault else [])
    if fault is None:
        assert result.frame.shape == (cam.height, cam.width, 3)


@pytest.mark.parametrize("seed", [0, 1])
def test_frame_assessor_names_the_fault_each_picture_shows(seed: int) -> None:
    def jpeg(frame: np.ndarray) -> np.ndarray:
        return cv2.imdecode(np.frombuffer(encode_jpeg(frame), np.uint8), cv2.IMREAD_COLOR)

    reference = jpeg(PictureSource("SIM-0001", seed, PictureKind.HEALTHY, 640, 360).grab())
    verdicts = {}
    for kind in PictureKind:
        source = PictureSource("SIM-0001", seed, kind, 640, 360)
        previous = jpeg(source.grab())
        verdict = assess(jpeg(source.grab()), previous=previous, reference=reference)
        verdicts[kind] = [str(f) for f in verdict.faults]
    expected = {k: [code] if code else [] for k, code in PICTURE_FAULT_CODES.items()}
    assert verdicts == expected
