"""The tcp probe against real loopback listeners: open, refused and unanswered ports."""

from __future__ import annotations

import asyncio
import os
import socket
import time

import pytest

from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeTarget
from probes.tcp import probe
from tests.peers.hostile_stream import (
    FullBacklogListener,
    HostilePeer,
    loopback_address,
    refused_port,
    silent,
)

CFG = ProbeConfig()


@pytest.fixture
def listener() -> socket.socket:
    """A real listening socket on its own loopback address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((loopback_address(), 0))
    sock.listen(128)  # never accepted: the kernel queue holds the handshakes
    yield sock
    sock.close()


async def test_both_ports_open_reports_latency_per_port(listener: socket.socket) -> None:
    host, port = listener.getsockname()
    with socket.socket() as other:
        other.bind((host, 0))
        other.listen(16)
        other_port = other.getsockname()[1]
        target = ProbeTarget(code="C1", host=host, onvif_port=port, rtsp_port=other_port)
        result = await probe(target, CFG, deadline=Deadline(2.0))
    assert result.ok, result.reason
    assert result.faults == []
    assert set(result.details["ports"]) == {"onvif", "rtsp"}
    assert all(p["open"] for p in result.details["ports"].values())
    assert 0 < result.metrics["tcp_latency_seconds"] < 1.0
    assert result.metrics["tcp_latency_seconds_onvif"] > 0
    assert result.metrics["tcp_latency_seconds_rtsp"] > 0


async def test_one_port_open_is_reachable_and_names_the_closed_one(
    listener: socket.socket,
) -> None:
    host, port = listener.getsockname()
    closed = refused_port(host)
    target = ProbeTarget(code="C2", host=host, onvif_port=port, rtsp_port=closed)
    result = await probe(target, CFG, deadline=Deadline(2.0))
    assert result.ok
    assert result.details["ports"]["rtsp"] == {
        "port": closed,
        "open": False,
        "error": "Connection refused",
    }
    assert "tcp_latency_seconds_rtsp" not in result.metrics


async def test_all_ports_refused_is_offline() -> None:
    host = loopback_address()
    target = ProbeTarget(
        code="C3", host=host, onvif_port=refused_port(host), rtsp_port=refused_port(host)
    )
    result = await probe(target, CFG, deadline=Deadline(2.0))
    assert not result.ok
    assert result.faults == [FaultCode.OFFLINE]
    assert "refused" in result.reason
    assert result.duration_seconds < 0.5  # a refusal is an answer: no waiting for the deadline


async def test_unanswered_syn_is_offline_within_deadline() -> None:
    hung = FullBacklogListener()
    try:
        target = ProbeTarget(code="C4", host=hung.host, onvif_port=hung.port, rtsp_port=hung.port)
        t0 = time.monotonic()
        result = await probe(target, CFG, deadline=Deadline(0.5))
        elapsed = time.monotonic() - t0
    finally:
        hung.close()
    assert result.faults == [FaultCode.OFFLINE]
    assert result.details["ports"]["onvif"]["error"] == "timed out"
    assert 0.45 <= elapsed <= 1.5


async def test_accepting_but_silent_server_counts_as_reachable() -> None:
    async with HostilePeer(silent) as peer:
        target = ProbeTarget(code="C5", host=peer.host, onvif_port=peer.port, rtsp_port=peer.port)
        result = await probe(target, CFG, deadline=Deadline(1.0))
        await asyncio.sleep(0.05)
        assert peer.connections == 1  # the probe connected once and hung up: no data needed
    assert result.ok
    assert list(result.details["ports"]) == ["onvif"]


async def test_host_name_is_resolved(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with socket.socket() as local:
        local.bind(("127.0.0.1", 0))
        local.listen(16)
        target = ProbeTarget(
            code="C6", host="localhost", onvif_port=local.getsockname()[1], rtsp_port=port
        )
        result = await probe(target, CFG, deadline=Deadline(1.0))
    assert result.ok
    assert result.details["ports"]["onvif"]["open"]


async def test_probe_leaves_no_socket_open(listener: socket.socket) -> None:
    host, port = listener.getsockname()
    target = ProbeTarget(code="C7", host=host, onvif_port=port, rtsp_port=refused_port(host))
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        await probe(target, CFG, deadline=Deadline(1.0))
    after = len(os.listdir("/proc/self/fd"))
    assert after <= before
