"""A real RTSP server fed by one continuously running ffmpeg H.264 encoder, with a known GOP.

Unlike ipycam's server (which starts a fresh encoder, hence a keyframe, for every client), this
source encodes all the time, like a camera: a client joins mid-GOP and waits for the next
keyframe, so time to first frame depends on the keyframe interval. It optionally asks for RTSP
Basic or Digest credentials (401 otherwise), which ipycam's RTSP server does not.

Run as ``python -m tests.peers.rtsp_source --host 127.x.y.z`` (prints ``READY <port>``), or use
`RtspSource` / the `rtsp_source` fixture factory.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
REALM = "camwatch-test"
STREAM_PATH = "live"
_MAX_CLIENT_BACKLOG = 4 * 1024 * 1024
_RTP_RECEIVE_BUFFER = 4 * 1024 * 1024


@dataclass
class RtspSource:
    """One RTSP source process; connection facts for tests and a clean stop."""

    host: str
    port: int = 0
    width: int = 640
    height: int = 360
    fps: int = 25
    gop_seconds: float = 1.0
    auth: str = "none"  # "none", "basic" or "digest"
    picture: str | None = None  # a still image file to stream instead of the moving test pattern
    noise: int = 0  # ffmpeg noise filter strength (fresh every frame), as a failing sensor adds
    bitrate: str = "1M"
    username: str = "viewer"
    password: str = "rtsp-test-pw-3"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"RtspSource(host={self.host!r}, port={self.port}, auth={self.auth!r})"

    @property
    def url(self) -> str:
        """The stream URL, without credentials (the probe injects them)."""
        return f"rtsp://{self.host}:{self.port}/{STREAM_PATH}"

    def start(self, timeout: float = 20.0) -> RtspSource:
        """Start the server and its encoder; return once it serves a DESCRIBE."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        env["RTSP_SOURCE_USERNAME"] = self.username
        env["RTSP_SOURCE_PASSWORD"] = self.password
        cmd = [
            sys.executable,
            "-m",
            "tests.peers.rtsp_source",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--width",
            str(self.width),
            "--height",
            str(self.height),
            "--fps",
            str(self.fps),
            "--gop-seconds",
            str(self.gop_seconds),
            "--auth",
            self.auth,
            "--noise",
            str(self.noise),
            "--bitrate",
            self.bitrate,
            *(["--picture", self.picture] if self.picture else []),
        ]
        self.process = subprocess.Popen(
            cmd,
            env=env,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        end = time.monotonic() + timeout
        os.set_blocking(self.process.stdout.fileno(), False)
        buf = b""
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError("rtsp_source exited before it was ready")
            buf += self.process.stdout.read() or b""
            if b"\n" in buf and buf.startswith(b"READY "):
                self.port = int(buf.split()[1])
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"rtsp_source not ready within {timeout} s")

    def stop(self) -> None:
        """Terminate the server and its encoder (the whole process group)."""
        proc, self.process = self.process, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def __enter__(self) -> RtspSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------------------------------------
# The server (runs in the subprocess)


class _Server:
    def __init__(self, args: argparse.Namespace, sdp: str) -> None:
        self.args = args
        self.sdp = sdp
        self.subscribers: set[asyncio.StreamWriter] = set()
        self.user = os.environ.get("RTSP_SOURCE_USERNAME", "")
        self.password = os.environ.get("RTSP_SOURCE_PASSWORD", "")
        self.nonce = secrets.token_hex(16)

    def forward(self, channel: int, data: bytes) -> None:
        frame = b"$" + bytes([channel]) + struct.pack(">H", len(data)) + data
        for writer in list(self.subscribers):
            if writer.is_closing():
                self.subscribers.discard(writer)
            elif writer.transport.get_write_buffer_size() < _MAX_CLIENT_BACKLOG:
                writer.write(frame)

    def _authorized(self, method: str, headers: dict[str, str]) -> bool:
        if self.args.auth == "none":
            return True
        value = headers.get("authorization", "")
        if self.args.auth == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return value == f"Basic {token}"
        if not value.startswith("Digest "):
            return False
        parts = {}
        for item in value[7:].split(","):
            if "=" in item:
                k, v = item.strip().split("=", 1)
                parts[k] = v.strip('"')
        ha1 = _md5(f"{self.user}:{REALM}:{self.password}")
        ha2 = _md5(f"{method}:{parts.get('uri', '')}")
        return (
            parts.get("username") == self.user
            and parts.get("nonce") == self.nonce
            and parts.get("response") == _md5(f"{ha1}:{self.nonce}:{ha2}")
        )

    def _challenge(self) -> str:
        if self.args.auth == "basic":
            return f'WWW-Authenticate: Basic realm="{REALM}"\r\n'
        return f'WWW-Authenticate: Digest realm="{REALM}", nonce="{self.nonce}"\r\n'

    async def client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._client(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self.subscribers.discard(writer)
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            first = await reader.readexactly(1)
            if first == b"$":  # interleaved RTCP from the client: skip it
                _, size = struct.unpack(">BH", await reader.readexactly(3))
                await reader.readexactly(size)
                continue
            head = (first + await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            lines = head.split("\r\n")
            method, uri, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            if int(headers.get("content-length", "0")):
                await reader.readexactly(int(headers["content-length"]))
            cseq = headers.get("cseq", "0")
            status, extra, body = "200 OK", "", ""
            if method != "OPTIONS" and not self._authorized(method, headers):
                status, extra = "401 Unauthorized", self._challenge()
            elif method == "OPTIONS":
                extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n"
            elif method == "DESCRIBE":
                extra = f"Content-Base: {uri.rstrip('/')}/\r\nContent-Type: application/sdp\r\n"
                body = self.sdp
            elif method == "SETUP":
                if "TCP" not in headers.get("transport", ""):
                    status = "461 Unsupported Transport"
                else:
                    extra = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 1\r\n"
            elif method == "PLAY":
                extra = "Session: 1\r\nRange: npt=0.000-\r\n"
            elif method == "TEARDOWN":
                self.subscribers.discard(writer)
            reply = f"RTSP/1.0 {status}\r\nCSeq: {cseq}\r\n{extra}"
            if body:
                reply += f"Content-Length: {len(body)}\r\n"
            writer.write((reply + "\r\n" + body).encode())
            await writer.drain()
            if method == "PLAY" and status.startswith("200"):
                self.subscribers.add(writer)
            if method == "TEARDOWN":
                return


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class _RtpIn(asyncio.DatagramProtocol):
    def __init__(self, forward: Callable[[bytes], None]) -> None:
        self._forward = forward

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._forward(data)


def _encoder_cmd(args: argparse.Namespace, rtp_port: int, rtcp_port: int, sdp: Path) -> list[str]:
    gop = max(1, round(args.fps * args.gop_seconds))
    return [
        "ffmpeg",
        "-nostdin",
        "-loglevel",
        "error",
        "-re",
        *_source_args(args),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(gop),
        "-keyint_min",
        str(gop),
        "-sc_threshold",
        "0",
        # SPS/PPS both in the SDP (as cameras do) and in-band before every keyframe.
        "-flags",
        "+global_header",
        "-x264-params",
        "repeat-headers=1",
        *_rate_args(args),
        "-f",
        "rtp",
        "-payload_type",
        "96",
        "-sdp_file",
        str(sdp),
        f"rtp://127.0.0.1:{rtp_port}?rtcpport={rtcp_port}&pkt_size=1300",
    ]


def _source_args(args: argparse.Namespace) -> list[str]:
    """ffmpeg input options: the moving test pattern, or a still picture (with sensor noise)."""
    if not args.picture:
        return ["-f", "lavfi", "-i", f"testsrc2=size={args.width}x{args.height}:rate={args.fps}"]
    size = f"scale={args.width}:{args.height}"
    noise = f",noise=alls={args.noise}:allf=t" if args.noise else ""
    return ["-loop", "1", "-framerate", str(args.fps), "-i", args.picture, "-vf", size + noise]


def _rate_args(args: argparse.Namespace) -> list[str]:
    """Plain ABR for the test pattern; a still picture gets capped VBR (constant quality under a
    bitrate cap, as cameras' VBR mode), else x264's ABR swings the quality of a still scene."""
    if not args.picture:
        return ["-b:v", args.bitrate]
    return ["-crf", "23", "-maxrate", args.bitrate, "-bufsize", args.bitrate]


def _describe_sdp(raw: str, host: str) -> str:
    out = []
    for line in raw.splitlines():
        if line.startswith("m=video"):
            line = "m=video 0 RTP/AVP 96"
        elif line.startswith("c="):
            line = "c=IN IP4 0.0.0.0"
        elif line.startswith("o="):
            line = f"o=- 0 0 IN IP4 {host}"
        out.append(line)
    out.append("a=control:trackID=0")
    return "\r\n".join(out) + "\r\n"


def _datagram_socket(receive_buffer: int) -> socket.socket:
    """A loopback UDP socket whose receive buffer holds a whole burst of the encoder's packets."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # The kernel caps this at net.core.rmem_max (4 MB on Debian); the default 208 KB overflowed
    # when this relay was starved of CPU and lost part of a keyframe, which then decoded smeared.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    return sock


async def _serve(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    holder: dict[str, _Server] = {}

    def rtp(data: bytes) -> None:
        if "s" in holder:
            holder["s"].forward(0, data)

    def rtcp(data: bytes) -> None:
        if "s" in holder:
            holder["s"].forward(1, data)

    rtp_t, _ = await loop.create_datagram_endpoint(
        lambda: _RtpIn(rtp), sock=_datagram_socket(_RTP_RECEIVE_BUFFER)
    )
    rtcp_t, _ = await loop.create_datagram_endpoint(
        lambda: _RtpIn(rtcp), sock=_datagram_socket(_RTP_RECEIVE_BUFFER)
    )
    workdir = tempfile.TemporaryDirectory(prefix="rtsp-source-")
    sdp_path = Path(workdir.name) / "stream.sdp"
    cmd = _encoder_cmd(
        args, rtp_t.get_extra_info("sockname")[1], rtcp_t.get_extra_info("sockname")[1], sdp_path
    )
    encoder = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    try:
        while not (sdp_path.exists() and sdp_path.stat().st_size > 0):
            if encoder.poll() is not None:
                raise RuntimeError("encoder exited")
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)  # let ffmpeg finish writing the file
        server = _Server(args, _describe_sdp(sdp_path.read_text(), args.host))
        holder["s"] = server
        listener = await asyncio.start_server(server.client, args.host, args.port)
        port = listener.sockets[0].getsockname()[1]
        sys.stdout.write(f"READY {port}\n")
        sys.stdout.flush()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        await stop.wait()
        listener.close()
    finally:
        encoder.terminate()
        encoder.wait(timeout=5)
        workdir.cleanup()


def _main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="rtsp_source")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=360)
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--gop-seconds", type=float, default=1.0)
    p.add_argument("--auth", choices=("none", "basic", "digest"), default="none")
    p.add_argument("--picture", default=None)
    p.add_argument("--noise", type=int, default=0)
    p.add_argument("--bitrate", default="1M")
    asyncio.run(_serve(p.parse_args(argv)))
    return 0


# ---------------------------------------------------------------------------------------------
# pytest fixtures

try:
    import pytest
except ImportError:  # the server subprocess does not need pytest
    pytest = None

if pytest is not None:

    @pytest.fixture
    def rtsp_source() -> Iterator[Callable[..., RtspSource]]:
        """Factory: `rtsp_source(host=..., **fields)` starts a source; all stop at teardown."""
        started: list[RtspSource] = []

        def factory(**kwargs: object) -> RtspSource:
            src = RtspSource(**kwargs)
            started.append(src)
            return src.start()

        yield factory
        for src in started:
            src.stop()


if __name__ == "__main__":
    sys.exit(_main())
