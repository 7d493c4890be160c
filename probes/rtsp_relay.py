"""A one-connection loopback relay between FFmpeg and a camera's checked RTSP address.

FFmpeg follows RTSP 3xx redirects (to any host) and allocates whatever Content-Length a reply
announces; it has no option to stop either. So FFmpeg never talks to the camera directly: it
talks to this relay on 127.0.0.1, which the probe has already connected to the camera's checked
address. The relay passes requests through untouched and reads the camera's replies until the
media starts: a redirect, an oversized head or body ends the exchange before FFmpeg sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re

_STATUS = re.compile(rb"^RTSP/\d\.\d (\d{3})")
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
CHUNK = 65536


class RtspRelay:
    """Relays one FFmpeg connection to an already open camera connection, inspecting replies."""

    def __init__(
        self,
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        *,
        max_answer_bytes: int,
    ) -> None:
        self._up_reader, self._up_writer = upstream
        self._limit = max_answer_bytes
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = [self._up_writer]
        self._taken = False
        self.port = 0
        # Why the relay cut the exchange (a redirect, an oversized reply), if it did.
        self.refusal: str | None = None

    async def start(self) -> RtspRelay:
        """Listen on 127.0.0.1 (an ephemeral port) for FFmpeg's single connection."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop listening and drop both connections (FFmpeg then sees the stream end)."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._taken:
            # Only the probe's FFmpeg, once; anything else on this host is turned away.
            writer.close()
            return
        self._taken = True
        self._writers.append(writer)
        for coro in (self._requests(reader), self._replies(writer)):
            task = asyncio.ensure_future(coro)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _requests(self, reader: asyncio.StreamReader) -> None:
        """FFmpeg to camera: copied as is."""
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(CHUNK):
                self._up_writer.write(data)
                await self._up_writer.drain()
        self._up_writer.close()

    async def _replies(self, writer: asyncio.StreamWriter) -> None:
        """Camera to FFmpeg: whole replies, checked, until the first interleaved media packet."""
        buffer = b""
        try:
            while True:
                message, buffer, media = await self._next_message(buffer)
                if message is None:
                    break
                writer.write(message)
                await writer.drain()
                if media:
                    # Media flows now: FFmpeg follows redirects only in answer to DESCRIBE.
                    while data := await self._up_reader.read(CHUNK):
                        writer.write(data)
                        await writer.drain()
                    break
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        writer.close()

    async def _next_message(self, buffer: bytes) -> tuple[bytes | None, bytes, bool]:
        """(message, rest of the buffer, is media) or (None, ...) at the end or on a refusal."""
        while True:
            if buffer[:1] == b"$":
                return buffer, b"", True
            head_end = buffer.find(b"\r\n\r\n")
            if head_end >= 0:
                head = buffer[: head_end + 4]
                status = _STATUS.match(head)
                if status and 300 <= int(status.group(1)) < 400:
                    self.refusal = (
                        f"camera answered RTSP {status.group(1).decode()} (a redirect); "
                        "not followed"
                    )
                    return None, b"", False
                length_match = _LENGTH.search(head)
                length = int(length_match.group(1)) if length_match else 0
                if length > self._limit:
                    self.refusal = f"RTSP reply body of {length} bytes exceeds the byte cap"
                    return None, b"", False
                total = len(head) + length
                while len(buffer) < total:
                    data = await self._up_reader.read(CHUNK)
                    if not data:
                        return None, b"", False
                    buffer += data
                return buffer[:total], buffer[total:], False
            if len(buffer) > self._limit:
                self.refusal = "RTSP reply head exceeds the byte cap"
                return None, b"", False
            data = await self._up_reader.read(CHUNK)
            if not data:
                return None, b"", False
            buffer += data
