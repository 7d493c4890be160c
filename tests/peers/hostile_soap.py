"""Small hostile HTTP/SOAP servers on loopback: faults no real camera produces on demand.

Each server runs its own asyncio loop in a thread, so it never shares the event loop (or the
task list) of the code under test::

    with HostileSoapServer("silent") as server:
        server.host, server.port, server.connections

Behaviours (`BEHAVIOURS`):
- ``silent``: accepts, reads the request, never answers (holds the socket open);
- ``half_envelope``: answers 200 with a Content-Length for a full envelope, sends half of it,
  then stalls;
- ``garbage``: answers 200 and sends 50 MB of random bytes, then closes;
- ``http500_malformed``: answers HTTP 500 with a body that is not well-formed XML.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading

from tests.peers.ipycam_peer import unique_loopback_host

BEHAVIOURS = ("silent", "half_envelope", "garbage", "http500_malformed")
GARBAGE_BYTES = 50 * 1024 * 1024

_ENVELOPE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    b'xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>'
    b"<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
    b"<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
    b"<tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour><tt:Minute>2</tt:Minute>"
    b"<tt:Second>3</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>1</tt:Month>"
    b"<tt:Day>2</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime>"
    b"</tds:GetSystemDateAndTimeResponse></s:Body></s:Envelope>"
)


class HostileSoapServer:
    """A loopback TCP server that misbehaves in one named way."""

    def __init__(self, behaviour: str, host: str | None = None) -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}; known: {', '.join(BEHAVIOURS)}")
        self.behaviour = behaviour
        self.host = host or unique_loopback_host()
        self.port = 0
        self.connections = 0
        self.bytes_sent = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"HostileSoapServer({self.behaviour!r}, {self.host}:{self.port})"

    @property
    def url(self) -> str:
        """The ONVIF device service URL this server pretends to serve."""
        return f"http://{self.host}:{self.port}/onvif/device_service"

    def start(self) -> HostileSoapServer:
        """Start serving in a background thread; returns once the port is bound."""
        self._thread = threading.Thread(
            target=self._run, name=f"hostile-{self.behaviour}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("hostile server did not start")
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)
        self._thread = None

    def __enter__(self) -> HostileSoapServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        handlers: set[asyncio.Task[None]] = set()

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            handlers.add(task)
            self.connections += 1
            try:
                await self._handle(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass
            finally:
                writer.close()
                handlers.discard(task)

        server = await asyncio.start_server(on_connect, self.host, 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            for task in list(handlers):
                task.cancel()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await asyncio.gather(*handlers, return_exceptions=True)

    async def _read_request(self, reader: asyncio.StreamReader) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stop = self._stop
        assert stop is not None
        if self.behaviour == "silent":
            await stop.wait()
            return
        await self._read_request(reader)
        if self.behaviour == "half_envelope":
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n"
                + f"Content-Length: {len(_ENVELOPE)}\r\n\r\n".encode()
                + _ENVELOPE[: len(_ENVELOPE) // 2]
            )
            await writer.drain()
            await stop.wait()
        elif self.behaviour == "garbage":
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n"
                + f"Content-Length: {GARBAGE_BYTES}\r\n\r\n".encode()
            )
            chunk = os.urandom(1024 * 1024)
            for _ in range(GARBAGE_BYTES // len(chunk)):
                writer.write(chunk)
                await writer.drain()
                self.bytes_sent += len(chunk)
        elif self.behaviour == "http500_malformed":
            body = b"<s:Envelope><s:Body><s:Fault><oops & not xml</s:Body>"
            writer.write(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/soap+xml\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
