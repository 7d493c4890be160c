"""The TCP probe connects only to an address inside the allowed networks, checked when probed."""

from __future__ import annotations

from probes import tcp
from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeTarget
from tests.peers.hostile_onvif import CountingListener
from tests.probes.hostile_addresses import ALLOWED, camera_address

CFG = ProbeConfig(allowed_networks=ALLOWED)


async def test_host_name_resolving_outside_is_not_connected() -> None:
    # A name registered while it pointed inside, now resolving to 127.0.0.1 (outside).
    with CountingListener("127.0.0.1") as local:
        target = ProbeTarget(
            code="TCP-H", host="localhost", onvif_port=local.port, rtsp_port=local.port
        )
        result = await tcp.probe(target, CFG, deadline=Deadline(2.0))

    assert local.connections == 0
    assert result.faults == [FaultCode.OFFLINE]
    assert "outside the allowed probe networks" in result.reason


async def test_address_inside_is_probed() -> None:
    with CountingListener(camera_address()) as camera:
        target = ProbeTarget(
            code="TCP-OK", host=camera.host, onvif_port=camera.port, rtsp_port=camera.port
        )
        result = await tcp.probe(target, CFG, deadline=Deadline(2.0))

    assert result.ok, result.reason
    assert camera.connections >= 1
