"""A hostile RTSP camera cannot send FFmpeg elsewhere or make it allocate a huge reply.

Camera in 127.21.0.0/16 (allowed), a counting listener on 127.30.x.y (forbidden).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from probes import rtsp
from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeTarget
from tests.peers import hostile_stream as hostile
from tests.peers.hostile_onvif import CountingListener
from tests.probes.hostile_addresses import ALLOWED, camera_address, forbidden_address

CFG = ProbeConfig(allowed_networks=ALLOWED)


def redirecting(location: Callable[[], str], status: int = 302) -> hostile.Handler:
    """RTSP that answers OPTIONS, then redirects DESCRIBE to `location()`."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            req = await hostile._read_request(reader)
            cseq = req.get("cseq", "0")
            if req["method"] == "OPTIONS":
                extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"
                writer.write(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}\r\n".encode())
            else:
                head = f"RTSP/1.0 {status} Moved\r\nCSeq: {cseq}\r\n"
                writer.write(f"{head}Location: {location()}\r\n\r\n".encode())
            await writer.drain()

    return handler


async def huge_describe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers DESCRIBE with a 300 MB Content-Length and starts sending it."""
    while True:
        req = await hostile._read_request(reader)
        cseq = req.get("cseq", "0")
        if req["method"] == "OPTIONS":
            writer.write(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n\r\n".encode())
            await writer.drain()
            continue
        writer.write(
            f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\n"
            f"Content-Length: {300 * 1024 * 1024}\r\n\r\n".encode()
        )
        block = b"a=x:" + b"y" * 65530 + b"\r\n"
        while True:
            writer.write(block)
            await writer.drain()


def target(url: str) -> ProbeTarget:
    return ProbeTarget(code="RTSP-H", host=camera_address(), rtsp_url=url)


async def test_rtsp_redirect_to_another_host_is_not_followed() -> None:
    with CountingListener(forbidden_address()) as forbidden:
        handler = redirecting(lambda: f"rtsp://{forbidden.host}:{forbidden.port}/live")
        async with hostile.HostilePeer(handler, host=camera_address()) as peer:
            result = await rtsp.probe(
                target(peer.url("rtsp", "/live")), CFG, deadline=Deadline(3.0)
            )

    assert forbidden.connections == 0
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "302" in result.reason and "not followed" in result.reason


async def test_stream_uri_outside_the_networks_is_not_opened() -> None:
    with CountingListener(forbidden_address()) as forbidden:
        url = f"rtsp://{forbidden.host}:{forbidden.port}/live"
        result = await rtsp.probe(target(url), CFG, deadline=Deadline(3.0))

    assert forbidden.connections == 0
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "outside the allowed probe networks" in result.reason


async def test_only_rtsp_urls_are_opened() -> None:
    with CountingListener(forbidden_address()) as forbidden:
        # An http:// or file:// "stream" would have FFmpeg fetch a web page or read a local file.
        for url in ("file:///etc/passwd", f"http://{camera_address()}:{forbidden.port}/x"):
            result = await rtsp.probe(target(url), CFG, deadline=Deadline(3.0))
            assert result.faults == [FaultCode.STREAM_ERROR]
            assert "scheme" in result.reason


async def test_stream_host_name_is_checked_when_probed() -> None:
    with CountingListener("127.0.0.1") as local:
        url = f"rtsp://localhost:{local.port}/live"
        result = await rtsp.probe(target(url), CFG, deadline=Deadline(3.0))
    assert local.connections == 0
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "127.0.0.1" in result.reason


async def test_huge_describe_answer_is_cut_at_the_cap() -> None:
    async with hostile.HostilePeer(huge_describe, host=camera_address()) as peer:
        result = await rtsp.probe(target(peer.url("rtsp", "/live")), CFG, deadline=Deadline(3.0))

    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "byte cap" in result.reason
