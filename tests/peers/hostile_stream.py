"""Hostile loopback peers for the tcp, rtsp and snapshot probes: small real asyncio servers.

Each peer misbehaves in one way a broken or malicious camera does and no real camera does on
demand: it accepts and never answers, floods garbage, answers RTSP and never sends RTP, stalls
half-way through a JPEG, or streams an endless HTTP body.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import random
import socket
import struct
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

GARBAGE_BYTES = 50 * 1024 * 1024

# A real H.264 SPS/PPS (320x240 baseline) so the SDP looks like a camera's and FFmpeg trusts it.
_SPS = bytes.fromhex("6742c00d8c8d40a0fd00f08846a0")
_PPS = bytes.fromhex("68ce3c80")


def loopback_address() -> str:
    """A random 127.x.y.z address, so parallel test workers never share an address."""
    rnd = random.SystemRandom()
    return f"127.{rnd.randint(16, 250)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"


def h264_sdp(host: str) -> str:
    """A valid one-track H.264 SDP as a camera would answer to DESCRIBE."""
    sprop = ",".join(base64.b64encode(x).decode() for x in (_SPS, _PPS))
    return (
        "v=0\r\n"
        f"o=- 0 0 IN IP4 {host}\r\n"
        "s=hostile\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        "t=0 0\r\n"
        "m=video 0 RTP/AVP 96\r\n"
        "a=rtpmap:96 H264/90000\r\n"
        f"a=fmtp:96 packetization-mode=1;sprop-parameter-sets={sprop};profile-level-id=42c00d\r\n"
        "a=control:trackID=0\r\n"
    )


class HostilePeer:
    """A TCP server on a loopback address running one misbehaving handler per connection."""

    def __init__(self, handler: Handler, host: str | None = None) -> None:
        self.host = host or loopback_address()
        self.port = 0
        self.connections = 0
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = asyncio.Event()

    async def start(self) -> HostilePeer:
        """Bind to a free port on `self.host` and start serving."""
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        handler = asyncio.ensure_future(self._handler(reader, writer))
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait({handler, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (handler, closing):
                task.cancel()
            # The probe hanging up on us (ConnectionError) is what a probe should do.
            with contextlib.suppress(
                asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError
            ):
                await handler
            self._writers.discard(writer)
            writer.close()

    async def stop(self) -> None:
        """Close the listener and every connection still held open."""
        self._closing.set()
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        await asyncio.sleep(0.01)

    async def __aenter__(self) -> HostilePeer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def url(self, scheme: str, path: str = "/") -> str:
        """URL of this peer with the given scheme."""
        return f"{scheme}://{self.host}:{self.port}{path}"


async def _forever() -> None:
    await asyncio.Event().wait()


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept and never answer; hold the connection until the client leaves."""
    while await reader.read(65536):
        pass
    await _forever()


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Send 50 MB of random bytes (no line breaks, so no parser finds a line end), then close."""
    block = bytes(b if b not in (10, 13) else 0 for b in os.urandom(65536))
    sent = 0
    while sent < GARBAGE_BYTES:
        writer.write(block)
        await writer.drain()
        sent += len(block)


async def _read_request(reader: asyncio.StreamReader) -> dict[str, str]:
    """Read one RTSP/HTTP request head; returns method, uri and lower-cased headers."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, uri, _ = lines[0].split(" ", 2)
    headers = {"method": method, "uri": uri}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return headers


def _rtsp_reply(req: dict[str, str], extra: str = "", body: str = "") -> bytes:
    head = f"RTSP/1.0 200 OK\r\nCSeq: {req.get('cseq', '0')}\r\n{extra}"
    if body:
        head += f"Content-Type: application/sdp\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n" + body).encode()


def rtsp_server(stall_after: str, *, nonkey_rtp: bool = False) -> Handler:
    """RTSP that answers like a camera until `stall_after` (a method name), then goes silent.

    With `nonkey_rtp` (and stall_after="PLAY") it streams RTP instead of going silent: H.264
    non-IDR slices of noise with advancing timestamps, and never a keyframe.
    """

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        while True:
            req = await _read_request(reader)
            method = req["method"]
            if method == "OPTIONS":
                extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"
                writer.write(_rtsp_reply(req, extra))
            elif method == "DESCRIBE":
                base = f"Content-Base: {req['uri'].rstrip('/')}/\r\n"
                writer.write(_rtsp_reply(req, base, h264_sdp(host)))
            elif method == "SETUP" and stall_after != "DESCRIBE":
                transport = req.get("transport", "RTP/AVP/TCP;unicast;interleaved=0-1")
                writer.write(_rtsp_reply(req, f"Transport: {transport}\r\nSession: 1234\r\n"))
            elif method == "PLAY" and stall_after == "PLAY":
                writer.write(_rtsp_reply(req, "Session: 1234\r\nRange: npt=0.000-\r\n"))
            else:
                await _forever()
            await writer.drain()
            if method == stall_after:
                if nonkey_rtp:
                    await _send_nonkey_rtp(writer)
                # Keep reading (keep-alives, TEARDOWN) but never send a byte of RTP.
                while await reader.read(65536):
                    pass
                await _forever()

    return handler


async def _send_nonkey_rtp(writer: asyncio.StreamWriter) -> None:
    """Interleaved RTP on channel 0: non-IDR slices (NAL type 1) of noise, 100 KB/s, forever."""
    seq = 0
    while True:
        payload = b"\x41" + os.urandom(1000)  # nal_ref_idc 2, type 1: a P slice, never an IDR
        rtp = struct.pack(">BBHII", 0x80, 0x80 | 96, seq & 0xFFFF, seq * 3600, 0x1234ABCD)
        packet = rtp + payload
        writer.write(b"$\x00" + struct.pack(">H", len(packet)) + packet)
        await writer.drain()
        seq += 1
        await asyncio.sleep(0.01)


def http_half_jpeg(jpeg: bytes) -> Handler:
    """HTTP that promises the whole JPEG, sends the first half, then stalls."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
            + f"Content-Length: {len(jpeg)}\r\n\r\n".encode()
            + jpeg[: len(jpeg) // 2]
        )
        await writer.drain()
        await _forever()

    return handler


async def http_endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTP 200 image/jpeg without a length, then bytes forever (until the client leaves)."""
    await _read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nConnection: close\r\n\r\n")
    block = b"\xff\xd8" + os.urandom(65534)
    while True:
        writer.write(block)
        await writer.drain()


class FullBacklogListener:
    """A listener that never accepts, its backlog already full: SYNs to it go unanswered.

    Linux drops SYNs to a listener whose accept queue is full, which is what a firewalled or hung
    camera looks like to connect(): no refusal, no answer.
    """

    def __init__(self, host: str | None = None) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((host or loopback_address(), 0))
        self._listener.listen(0)
        self.host, self.port = self._listener.getsockname()
        self._fillers: list[socket.socket] = []
        for _ in range(4):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect((self.host, self.port))
            self._fillers.append(filler)

    def close(self) -> None:
        """Close the listener and the connections that fill its queue."""
        for sock in [*self._fillers, self._listener]:
            sock.close()


def refused_port(host: str) -> int:
    """A port on `host` that nothing listens on (bound then closed, so the kernel refuses it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]
