"""The rtsp probe against real RTSP servers (ipycam, an ffmpeg-fed source) and hostile peers."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from probes import rtsp
from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeTarget
from tests.peers import hostile_stream as hostile
from tests.peers import ipycam_peer
from tests.peers import rtsp_source as rtsp_source_module
from tests.peers.ipycam_peer import IpycamPeer
from tests.peers.rtsp_source import RtspSource

# Fixtures from the shared peers, made visible to this module.
ipycam_camera = ipycam_peer.ipycam_camera
ipycam_shared = ipycam_peer.ipycam_shared
rtsp_source = rtsp_source_module.rtsp_source

CFG = ProbeConfig()
MARGIN = 1.0  # seconds a probe may overrun its deadline against a hostile peer


def cam_target(cam: IpycamPeer, **kw: object) -> ProbeTarget:
    """A target for an ipycam camera's main stream."""
    fields: dict[str, object] = {
        "code": "CAM-1",
        "host": cam.host,
        "onvif_port": cam.onvif_port,
        "rtsp_port": cam.rtsp_port,
        "rtsp_url": cam.rtsp_url,
    }
    fields.update(kw)
    return ProbeTarget(**fields)


async def wait_settled(baseline_threads: int, timeout: float) -> tuple[int, int]:
    """Wait until abandoned decodes end; return (in_flight, threads) when settled or timed out."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if rtsp.in_flight() == 0 and threading.active_count() <= baseline_threads:
            break
        await asyncio.sleep(0.05)
    return rtsp.in_flight(), threading.active_count()


# -- real camera (ipycam) ----------------------------------------------------------------------


async def test_decodes_a_keyframe_from_a_real_camera(ipycam_shared: IpycamPeer) -> None:
    cam = ipycam_shared
    target = cam_target(
        cam, expected_width=cam.width, expected_height=cam.height, expected_codec="H.264"
    )
    result = await rtsp.probe(target, CFG, deadline=Deadline(8.0))
    assert result.ok, result.reason
    assert result.faults == []
    assert result.details["codec"] == "h264"
    assert (result.details["width"], result.details["height"]) == (cam.width, cam.height)
    assert result.details["fps"] == pytest.approx(cam.fps, rel=0.2)
    frame = result.frame
    assert isinstance(frame, np.ndarray)
    assert frame.shape == (cam.height, cam.width, 3)
    assert frame.dtype == np.uint8
    assert frame.std() > 20  # the textured scene, not a blank or green (undecoded) buffer
    assert 0 < result.metrics["ttff_seconds"] <= result.duration_seconds
    assert 0 < result.metrics["rtsp_open_seconds"] < result.metrics["ttff_seconds"]


@pytest.mark.parametrize(
    ("expect", "mentions"),
    [
        ({"expected_width": 1920, "expected_height": 1080}, "width 640 (expected 1920)"),
        ({"expected_codec": "hevc"}, "codec h264 (expected hevc)"),
    ],
)
async def test_resolution_or_codec_mismatch(
    ipycam_shared: IpycamPeer, expect: dict[str, object], mentions: str
) -> None:
    result = await rtsp.probe(cam_target(ipycam_shared, **expect), CFG, deadline=Deadline(8.0))
    assert result.faults == [FaultCode.RESOLUTION_MISMATCH]
    assert not result.ok
    assert mentions in result.reason
    assert result.frame is not None  # the picture is still there for the assessor


async def test_stopped_camera_is_offline(ipycam_camera: Callable[..., IpycamPeer]) -> None:
    cam = ipycam_camera(pattern="still")
    target = cam_target(cam)
    assert (await rtsp.probe(target, CFG, deadline=Deadline(8.0))).ok
    cam.stop()
    result = await rtsp.probe(target, CFG, deadline=Deadline(3.0))
    assert result.faults == [FaultCode.OFFLINE]
    assert result.duration_seconds < 1.0  # a refused port answers at once


# -- real RTSP source with credentials (ipycam's RTSP server has no RTSP auth) ----------------


@pytest.mark.parametrize("auth", ["digest", "basic"])
async def test_rtsp_credentials(rtsp_source: Callable[..., RtspSource], auth: str) -> None:
    src = rtsp_source(host=hostile.loopback_address(), auth=auth, width=320, height=240)
    good = ProbeTarget(
        code="AUTH-1", host=src.host, rtsp_url=src.url, username=src.username, password=src.password
    )
    result = await rtsp.probe(good, CFG, deadline=Deadline(5.0))
    assert result.ok, result.reason
    assert result.frame.shape == (240, 320, 3)

    wrong_pw = "Wr0ng-s3cret!"
    bad = ProbeTarget(
        code="AUTH-2", host=src.host, rtsp_url=src.url, username=src.username, password=wrong_pw
    )
    result = await rtsp.probe(bad, CFG, deadline=Deadline(5.0))
    assert result.faults == [FaultCode.AUTH_FAILED]
    assert result.duration_seconds < 2.0
    assert wrong_pw not in json.dumps(result.to_dict()) + repr(result)


async def test_password_never_reaches_result_or_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "p@ss/w:rd-XYZ"
    url_secret = "in-url-secret-42"
    host = hostile.loopback_address()
    targets = [
        # refused, so FFmpeg's error names the (credentialed) URL
        ProbeTarget(
            code="LEAK-1",
            host=host,
            username="admin",
            password=secret,
            rtsp_url=f"rtsp://{host}:{hostile.refused_port(host)}/live",
        ),
        # credentials already in the URL the caller passed
        ProbeTarget(
            code="LEAK-2",
            host=host,
            rtsp_url=f"rtsp://admin:{url_secret}@{host}:{hostile.refused_port(host)}/x",
        ),
    ]
    with caplog.at_level(logging.DEBUG):
        for target in targets:
            result = await rtsp.probe(target, CFG, deadline=Deadline(2.0))
            assert result.faults == [FaultCode.OFFLINE]
            text = json.dumps(result.to_dict()) + repr(result) + repr(target)
            assert secret not in text
            assert url_secret not in text
    assert caplog.records  # the failures were logged ...
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert secret not in logged  # ... without the password
    assert url_secret not in logged


async def test_no_url_is_a_stream_error() -> None:
    result = await rtsp.probe(
        ProbeTarget(code="NOURL", host="127.0.0.1"), CFG, deadline=Deadline(1.0)
    )
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "no RTSP URL" in result.reason


# -- hostile peers -----------------------------------------------------------------------------


HOSTILE = {
    "accepts-never-answers": hostile.silent,
    "50MB-garbage": hostile.garbage,
    "play-but-no-rtp": hostile.rtsp_server(stall_after="PLAY"),
    "describe-then-stall": hostile.rtsp_server(stall_after="DESCRIBE"),
    "p-slices-never-a-keyframe": hostile.rtsp_server(stall_after="PLAY", nonkey_rtp=True),
}


@pytest.mark.xdist_group("rtsp-threads")
@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_peer_is_stream_error_within_deadline(
    name: str, ipycam_shared: IpycamPeer
) -> None:
    baseline = threading.active_count()
    deadline_s = 1.0
    async with hostile.HostilePeer(HOSTILE[name]) as peer:
        target = ProbeTarget(
            code="HOST-1", host=peer.host, rtsp_port=peer.port, rtsp_url=peer.url("rtsp", "/live")
        )
        t0 = time.monotonic()
        result = await rtsp.probe(target, CFG, deadline=Deadline(deadline_s))
        elapsed = time.monotonic() - t0
        assert result.faults == [FaultCode.STREAM_ERROR], result.reason
        assert "stalled while" in result.reason or "stream failed" in result.reason
        assert elapsed <= deadline_s + MARGIN
        assert peer.connections >= 1
        # While the peer keeps stalling, the abandoned decode ends on FFmpeg's own timeout.
        in_flight, threads = await wait_settled(baseline, timeout=deadline_s + 2.0)
        assert in_flight == 0
        assert threads <= baseline
    # The process is still healthy: the next probe of a good camera decodes a frame.
    good = await rtsp.probe(cam_target(ipycam_shared), CFG, deadline=Deadline(8.0))
    assert good.ok, good.reason


@pytest.mark.xdist_group("rtsp-threads")
async def test_hung_cameras_cannot_pile_up_threads(ipycam_shared: IpycamPeer) -> None:
    baseline = threading.active_count()
    cfg = ProbeConfig(rtsp_max_decodes=3)
    async with hostile.HostilePeer(hostile.silent) as peer:
        target = ProbeTarget(code="PILE", host=peer.host, rtsp_url=peer.url("rtsp", "/live"))
        results = await asyncio.gather(
            *(rtsp.probe(target, cfg, deadline=Deadline(0.5)) for _ in range(10))
        )
        # Right after the deadline the abandoned decodes are still blocked in FFmpeg: capped.
        assert rtsp.in_flight() <= 3
        assert threading.active_count() <= baseline + 3
        assert all(r.faults == [FaultCode.STREAM_ERROR] for r in results)
        assert sum(bool(r.details.get("busy")) for r in results) == 7
        in_flight, threads = await wait_settled(baseline, timeout=3.0)
        assert (in_flight, threads) == (0, baseline)
    good = await rtsp.probe(cam_target(ipycam_shared), cfg, deadline=Deadline(8.0))
    assert good.ok, good.reason


@pytest.mark.xdist_group("rtsp-threads")
async def test_cancelled_probe_releases_its_decode(ipycam_shared: IpycamPeer) -> None:
    baseline = threading.active_count()
    async with hostile.HostilePeer(hostile.silent) as peer:
        target = ProbeTarget(code="CANCEL", host=peer.host, rtsp_url=peer.url("rtsp", "/"))
        task = asyncio.ensure_future(rtsp.probe(target, CFG, deadline=Deadline(1.0)))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        in_flight, threads = await wait_settled(baseline, timeout=3.0)
        assert (in_flight, threads) == (0, baseline)
