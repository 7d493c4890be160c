"""A hostile ONVIF camera cannot make the probe talk outside the allowed networks or exhaust it.

The camera lives in the allowed network 127.21.0.0/16; a counting listener on 127.30.x.y stands
for an internal host the camera wants camwatch to reach. Every test asserts that listener saw
no connection at all.
"""

from __future__ import annotations

import time

import pytest

from probes import onvif
from probes.faults import FaultCode
from probes.result import IDENTITY_FIELD_MAX_CHARS, Deadline, ProbeConfig, ProbeTarget
from tests.peers.hostile_onvif import CountingListener, HostileOnvifCamera
from tests.probes.hostile_addresses import ALLOWED, camera_address, forbidden_address

CFG = ProbeConfig(allowed_networks=ALLOWED)
DEADLINE_SECONDS = 8.0
# RSS growth allowed while a 300 MB answer arrives (the answer cap is 2 MiB).
RSS_BOUND_BYTES = 100 * 1024 * 1024


@pytest.fixture(autouse=True)
async def _close_devices():
    yield
    await onvif.close_all()


def target(cam: HostileOnvifCamera) -> ProbeTarget:
    return ProbeTarget(
        code=f"HOSTILE-{cam.host}", host=cam.host, onvif_port=cam.port, username="u", password="p"
    )


async def probe(cam: HostileOnvifCamera, cfg: ProbeConfig = CFG):
    return await onvif.probe(target(cam), cfg, deadline=Deadline(DEADLINE_SECONDS))


def hostile(behaviour: str, forbidden: CountingListener) -> HostileOnvifCamera:
    return HostileOnvifCamera(behaviour, host=camera_address(), elsewhere=forbidden.url)


async def test_honest_camera_is_probed_normally() -> None:
    with CountingListener(forbidden_address()) as forbidden, hostile("honest", forbidden) as cam:
        result = await probe(cam)

    assert result.ok, result.reason
    assert result.identity.serial == "SN-H1"
    assert result.identity.stream_uri == f"rtsp://{cam.host}/stream1"
    assert "CreatePullPointSubscription" in cam.operations
    assert forbidden.connections == 0


@pytest.mark.parametrize("behaviour", ["services_outside", "capabilities_outside"])
async def test_announced_service_addresses_are_pinned_to_the_camera(behaviour: str) -> None:
    with CountingListener(forbidden_address()) as forbidden, hostile(behaviour, forbidden) as cam:
        result = await probe(cam)

    assert forbidden.connections == 0
    # Pinned to the registered address, the media service still answers from the camera.
    assert result.ok, result.reason
    assert {"GetProfiles", "GetStreamUri", "GetSnapshotUri"} <= set(cam.operations)


async def test_pullpoint_address_outside_is_not_contacted() -> None:
    with (
        CountingListener(forbidden_address()) as forbidden,
        hostile("pullpoint_outside", forbidden) as cam,
    ):
        result = await probe(cam)

    assert forbidden.connections == 0
    assert result.ok, result.reason
    assert "PullMessages" in cam.operations  # asked of the camera itself


async def test_http_redirect_is_refused_not_followed() -> None:
    with CountingListener(forbidden_address()) as forbidden, hostile("redirect", forbidden) as cam:
        result = await probe(cam)

    assert forbidden.connections == 0
    assert not result.ok
    assert result.faults == [FaultCode.ONVIF_ERROR]
    assert "307" in result.reason and "not followed" in result.reason


async def test_stream_and_snapshot_uris_outside_are_not_kept() -> None:
    with (
        CountingListener(forbidden_address()) as forbidden,
        hostile("uris_outside", forbidden) as cam,
    ):
        result = await probe(cam)

    assert result.ok, result.reason
    assert result.identity.stream_uri == ""
    assert result.identity.snapshot_uri == ""
    assert len(result.details["refused_uris"]) == 2
    assert forbidden.connections == 0


async def test_camera_host_outside_the_networks_is_not_contacted() -> None:
    with CountingListener(forbidden_address()) as forbidden:
        outside = ProbeTarget(code="OUT", host=forbidden.host, onvif_port=forbidden.port)
        result = await onvif.probe(outside, CFG, deadline=Deadline(DEADLINE_SECONDS))

    assert forbidden.connections == 0
    assert result.faults == [FaultCode.ONVIF_ERROR]
    assert "outside the allowed probe networks" in result.reason


async def test_hostname_resolved_at_probe_time_outside_is_refused() -> None:
    # "localhost" resolves to 127.0.0.1, outside 127.21.0.0/16: a name registered while it
    # pointed inside and rebound since is refused when probed, before any connection.
    with CountingListener("127.0.0.1") as forbidden:
        rebound = ProbeTarget(code="DNS", host="localhost", onvif_port=forbidden.port)
        result = await onvif.probe(rebound, CFG, deadline=Deadline(DEADLINE_SECONDS))

    assert forbidden.connections == 0
    assert not result.ok
    assert "127.0.0.1" in result.reason


def _rss_bytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} missing from /proc/self/status")


async def test_300_mb_answer_fails_cleanly_with_bounded_memory() -> None:
    with CountingListener(forbidden_address()) as forbidden, hostile("huge", forbidden) as cam:
        before = _rss_bytes("VmRSS")
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset the peak-RSS mark (VmHWM) to the current RSS
        started = time.monotonic()
        result = await probe(cam)
        elapsed = time.monotonic() - started
        peak = _rss_bytes("VmHWM")

    assert not result.ok
    assert result.faults == [FaultCode.ONVIF_ERROR]
    assert "byte cap" in result.reason
    assert elapsed < DEADLINE_SECONDS + 1.0  # the probe keeps its deadline
    assert peak - before < RSS_BOUND_BYTES, f"RSS grew {(peak - before) / 2**20:.0f} MiB"
    assert result.identity is None or all(
        len(v) <= IDENTITY_FIELD_MAX_CHARS for v in result.identity.to_dict().values()
    )
