"""The ONVIF probe against a real ipycam virtual camera and hostile loopback SOAP servers."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest

from probes import onvif
from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeResult, ProbeTarget
from tests.peers import ipycam_peer
from tests.peers.hostile_soap import BEHAVIOURS, HostileSoapServer
from tests.peers.ipycam_peer import IpycamPeer, free_port, unique_loopback_host

# The ipycam fixtures (ipycam_camera factory, ipycam_shared) live with the peer.
ipycam_camera = ipycam_peer.ipycam_camera
ipycam_shared = ipycam_peer.ipycam_shared

CFG = ProbeConfig()
MARGIN_SECONDS = 1.0


@pytest.fixture(autouse=True)
async def _close_devices():
    yield
    await onvif.close_all()


def target_for(cam: IpycamPeer, **overrides: object) -> ProbeTarget:
    fields: dict[str, object] = {
        "code": f"CAM-{cam.host}",
        "host": cam.host,
        "onvif_port": cam.onvif_port,
        "rtsp_port": cam.rtsp_port,
        "username": cam.username,
        "password": cam.password,
    }
    fields.update(overrides)
    return ProbeTarget(**fields)


async def run(target: ProbeTarget, seconds: float = 5.0) -> ProbeResult:
    return await onvif.probe(target, CFG, deadline=Deadline(seconds))


async def test_reads_identity_profiles_and_uris(ipycam_shared: IpycamPeer) -> None:
    result = await run(target_for(ipycam_shared))

    assert result.ok, result.reason
    assert result.faults == []
    assert result.identity.manufacturer == "CamwatchTest"
    assert result.identity.model == "VirtualCam-1"
    assert result.identity.serial == "SN-0001"
    assert result.identity.firmware == "1.3.0"
    assert result.identity.hardware_id
    assert {p["token"] for p in result.details["profiles"]} >= {"Profile_Main"}
    main = result.details["profiles"][0]
    assert (main["width"], main["height"]) == (ipycam_shared.width, ipycam_shared.height)
    assert result.identity.stream_uri == ipycam_shared.rtsp_url
    assert result.identity.snapshot_uri == ipycam_shared.snapshot_url
    assert "media" in result.details["capabilities"]["services"]
    assert 0 < result.metrics["onvif_latency_seconds"] < 5
    assert abs(result.metrics["clock_drift_seconds"]) < 3


async def test_password_appears_nowhere_in_the_result(ipycam_shared: IpycamPeer) -> None:
    target = target_for(ipycam_shared)
    result = await run(target)

    assert result.ok, result.reason
    text = json.dumps(result.to_dict(), default=str) + repr(result) + repr(target)
    assert ipycam_shared.password not in text
    assert "@" not in result.identity.stream_uri


async def test_device_is_reused_between_probes(ipycam_shared: IpycamPeer) -> None:
    target = target_for(ipycam_shared)
    await run(target)
    first = onvif._devices[onvif._key(target)]
    second_result = await run(target)

    assert second_result.ok, second_result.reason
    assert onvif._devices[onvif._key(target)] is first
    assert second_result.identity.serial == "SN-0001"


async def test_concurrent_probes_of_one_camera_share_its_device(
    ipycam_shared: IpycamPeer,
) -> None:
    target = target_for(ipycam_shared, code="CONCURRENT")

    results = await asyncio.gather(*(run(target) for _ in range(5)))

    assert all(r.ok for r in results), [r.reason for r in results]
    assert len([k for k in onvif._devices if k[0] == "CONCURRENT"]) == 1


async def test_serial_change_is_device_replaced_and_firmware_change_recorded(
    ipycam_shared: IpycamPeer,
) -> None:
    target = target_for(ipycam_shared, known_serial="SN-OLD", known_firmware="1.2.9")
    result = await run(target)

    assert FaultCode.DEVICE_REPLACED in result.faults
    assert result.details["previous_serial"] == "SN-OLD"
    assert result.details["firmware_changed"] == {"from": "1.2.9", "to": "1.3.0"}


async def test_camera_clock_wrong_by_two_minutes_is_reported_and_still_authenticates(
    ipycam_camera,
) -> None:
    cam = ipycam_camera(clock_offset_seconds=-120)
    result = await run(target_for(cam))

    assert result.faults == [FaultCode.CLOCK_DRIFT]
    assert -123 < result.metrics["clock_drift_seconds"] < -117
    # Identity needs an accepted WS-Security token: proof that it authenticated.
    assert result.identity.serial == "SN-0001"


async def test_clock_outside_the_token_window_still_authenticates(
    ipycam_camera,
) -> None:
    # ipycam refuses tokens more than 300 s from its clock, GetSystemDateAndTime included.
    cam = ipycam_camera(clock_offset_seconds=-1000)
    result = await run(target_for(cam))

    assert result.faults == [FaultCode.CLOCK_DRIFT], result.reason
    assert -1003 < result.metrics["clock_drift_seconds"] < -997
    assert result.identity.serial == "SN-0001"


async def test_clock_jump_on_a_known_camera_is_drift_not_auth_failed(ipycam_camera) -> None:
    cam = ipycam_camera(adjustable_clock=True)
    target = target_for(cam)
    assert (await run(target)).ok

    # Like a camera that lost its clock at a power cut: now outside the token window.
    await asyncio.to_thread(cam.set_clock_offset, -1000)
    result = await run(target)

    assert result.faults == [FaultCode.CLOCK_DRIFT], result.reason
    assert -1003 < result.metrics["clock_drift_seconds"] < -997


async def test_drift_within_tolerance_is_not_a_fault(ipycam_shared: IpycamPeer) -> None:
    strict = ProbeConfig(clock_drift_tolerance_seconds=5)
    result = await onvif.probe(target_for(ipycam_shared), strict, deadline=Deadline(5))

    assert FaultCode.CLOCK_DRIFT not in result.faults


async def test_conditions_the_camera_reports_by_events_become_faults(ipycam_camera) -> None:
    now = time.time()
    cam = ipycam_camera(events=("tamper", "too_dark", "motion"), boot_time=now - 60)
    target = target_for(cam, known_boot_time=now - 3600)

    result = await run(target)

    assert result.faults == [FaultCode.COVERED, FaultCode.TOO_DARK, FaultCode.REBOOTED]
    assert abs(result.identity.boot_time - (now - 60)) < 2
    assert "events" in result.details["capabilities"]["services"]

    quiet = await onvif.probe(target, ProbeConfig(onvif_pull_events=False), deadline=Deadline(5))
    assert quiet.ok, quiet.reason
    assert "events" not in quiet.details


@pytest.mark.parametrize(("state", "faults"), [("Active", []), ("Error", ["storage_failure"])])
async def test_recording_job_state_is_storage_failure(
    ipycam_camera, state: str, faults: list[str]
) -> None:
    cam = ipycam_camera(recording_state=state)

    result = await run(target_for(cam))

    assert result.faults == faults, result.reason
    assert result.details["recording_jobs"] == [{"mode": "Active", "state": state}]


async def test_wrong_password_is_auth_failed_not_offline(ipycam_shared: IpycamPeer) -> None:
    result = await run(target_for(ipycam_shared, password="not-the-password"))

    assert not result.ok
    assert result.faults == [FaultCode.AUTH_FAILED]
    assert "not-the-password" not in json.dumps(result.to_dict(), default=str)


async def test_stopped_camera_is_offline(ipycam_camera) -> None:
    cam = ipycam_camera()
    target = target_for(cam)
    assert (await run(target)).ok

    cam.stop()
    result = await run(target)

    assert result.faults == [FaultCode.OFFLINE], result.reason


async def test_nothing_listening_is_offline_and_backs_off() -> None:
    host = unique_loopback_host()
    target = ProbeTarget(
        code="GONE", host=host, onvif_port=free_port(host), username="admin", password="pw"
    )
    results = [await run(target, 2.0) for _ in range(3)]
    assert all(r.faults == [FaultCode.OFFLINE] for r in results)

    started = time.monotonic()
    paused = await run(target, 2.0)

    assert paused.faults == [FaultCode.OFFLINE]
    assert "retrying in" in paused.reason
    assert time.monotonic() - started < 0.1


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_hostile_server_is_bounded_by_the_deadline(
    behaviour: str, ipycam_shared: IpycamPeer
) -> None:
    deadline_seconds = 2.0
    tasks_before = len(asyncio.all_tasks())
    fds_before = len(os.listdir("/proc/self/fd"))
    with HostileSoapServer(behaviour) as server:
        target = ProbeTarget(
            code=f"HOSTILE-{behaviour}",
            host=server.host,
            onvif_port=server.port,
            username="admin",
            password="pw",
        )
        started = time.monotonic()
        result = await run(target, deadline_seconds)
        elapsed = time.monotonic() - started
        assert server.connections >= 1

    assert elapsed < deadline_seconds + MARGIN_SECONDS
    assert result.faults == [FaultCode.ONVIF_ERROR], result.reason
    assert len(result.reason) < 300
    await onvif.forget(target)
    # Healthy afterwards: no task left behind, and a real camera still probes fine.
    await asyncio.sleep(0)
    assert len(asyncio.all_tasks()) <= tasks_before
    assert len(os.listdir("/proc/self/fd")) <= fds_before
    healthy = await run(target_for(ipycam_shared))
    assert healthy.ok, healthy.reason


async def test_concurrent_probes_of_a_hung_camera_all_return_in_time() -> None:
    with HostileSoapServer("silent") as server:
        target = ProbeTarget(
            code="HUNG", host=server.host, onvif_port=server.port, username="admin", password="pw"
        )
        started = time.monotonic()
        results = await asyncio.gather(*(run(target, 1.0) for _ in range(3)))
        elapsed = time.monotonic() - started

    assert elapsed < 1.0 + MARGIN_SECONDS
    assert all(r.faults == [FaultCode.ONVIF_ERROR] for r in results)
    # Probes of one camera take turns (a waiter may get a last moment when the first gives up).
    assert server.connections < len(results)


async def test_close_all_closes_every_session(ipycam_shared: IpycamPeer) -> None:
    target = target_for(ipycam_shared)
    assert (await run(target)).ok
    device = onvif._devices[onvif._key(target)]
    sessions = [s._session for s in device.camera.services.values()]
    assert sessions

    await onvif.close_all()

    assert onvif._devices == {}
    assert all(s.closed for s in sessions)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (
            "rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101",
            "rtsp://10.0.0.5:554/Streaming/Channels/101",
        ),
        (
            "http://10.0.0.5/cgi-bin/snapshot.cgi?channel=1&user=admin&password=secret",
            "http://10.0.0.5/cgi-bin/snapshot.cgi?channel=1",
        ),
        ("rtsp://10.0.0.5/live", "rtsp://10.0.0.5/live"),
        ("", ""),
    ],
)
def test_strip_credentials(uri: str, expected: str) -> None:
    assert onvif.strip_credentials(uri) == expected
