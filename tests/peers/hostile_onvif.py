"""A hostile ONVIF camera on loopback that tries to make camwatch talk to other hosts.

It answers the ONVIF calls camwatch makes (clock, services, identity, media, events) with
well-formed SOAP, but announces addresses outside the allowed networks, redirects, or floods::

    with CountingListener("127.30.0.1") as forbidden, HostileOnvifCamera(
        "services_outside", host="127.21.0.5", elsewhere=forbidden.url
    ) as cam:
        ...  # probe cam.host:cam.port; afterwards forbidden.connections must be 0

Behaviours (`BEHAVIOURS`):
- ``services_outside``: GetServices lists media and events services at `elsewhere`;
- ``capabilities_outside``: GetServices is a SOAP fault, GetCapabilities points at `elsewhere`;
- ``pullpoint_outside``: the PullPoint subscription address is `elsewhere`;
- ``redirect``: GetDeviceInformation answers HTTP 307 to `elsewhere`;
- ``uris_outside``: GetStreamUri/GetSnapshotUri name hosts at `elsewhere`;
- ``huge``: GetDeviceInformation streams a 300 MB model name (chunked, no length);
- ``honest``: every address is its own (the control case).

Each server runs its own asyncio loop in a thread (never the loop of the code under test).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import socket
import threading
from urllib.parse import urlsplit

from aiohttp import web

BEHAVIOURS = (
    "honest",
    "services_outside",
    "capabilities_outside",
    "pullpoint_outside",
    "redirect",
    "uris_outside",
    "huge",
)
HUGE_BYTES = 300 * 1024 * 1024

_NS = (
    'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
    'xmlns:tev="http://www.onvif.org/ver10/events/wsdl" '
    'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" '
    'xmlns:wsa="http://www.w3.org/2005/08/addressing" '
    'xmlns:tt="http://www.onvif.org/ver10/schema"'
)
DEVICE_NS = "http://www.onvif.org/ver10/device/wsdl"
MEDIA_NS = "http://www.onvif.org/ver10/media/wsdl"
EVENTS_NS = "http://www.onvif.org/ver10/events/wsdl"
_OPERATION = re.compile(rb"<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)")


def envelope(body: str) -> bytes:
    """A SOAP 1.2 envelope around `body`."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {_NS}><s:Body>'
    return (head + body + "</s:Body></s:Envelope>").encode()


def _fault(reason: str) -> bytes:
    return envelope(
        "<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>"
        f'<s:Reason><s:Text xml:lang="en">{reason}</s:Text></s:Reason></s:Fault>'
    )


def _service(namespace: str, xaddr: str) -> str:
    return (
        f"<tds:Service><tds:Namespace>{namespace}</tds:Namespace><tds:XAddr>{xaddr}</tds:XAddr>"
        "<tds:Version><tt:Major>2</tt:Major><tt:Minor>0</tt:Minor></tds:Version></tds:Service>"
    )


def _media_uri(uri: str) -> str:
    return (
        f"<trt:MediaUri><tt:Uri>{uri}</tt:Uri><tt:InvalidAfterConnect>false"
        "</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
        "<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
    )


class HostileOnvifCamera:
    """An ONVIF device service on `host` that misbehaves in one named way."""

    def __init__(self, behaviour: str, *, host: str, elsewhere: str = "") -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}; known: {', '.join(BEHAVIOURS)}")
        self.behaviour = behaviour
        self.host = host
        self.port = 0
        # Where the camera wants camwatch to go instead (a URL on a forbidden listener).
        self.elsewhere = elsewhere.rstrip("/")
        self.operations: list[str] = []
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"HostileOnvifCamera({self.behaviour!r}, {self.host}:{self.port})"

    @property
    def base(self) -> str:
        """This camera's own http://host:port."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> HostileOnvifCamera:
        """Serve in a background thread; returns once the port is bound."""
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("hostile ONVIF camera did not start")
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)
        self._thread = None

    def __enter__(self) -> HostileOnvifCamera:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_sock:
            probe_sock.bind((self.host, 0))
            self.port = probe_sock.getsockname()[1]
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()

    def _there(self, path: str) -> str:
        """The address the camera announces for `path`: its own, or elsewhere."""
        outside = {
            "services_outside": ("/onvif/media", "/onvif/events"),
            "capabilities_outside": ("/onvif/media", "/onvif/events"),
            "pullpoint_outside": ("/onvif/pullpoint",),
        }.get(self.behaviour, ())
        base = self.elsewhere if path in outside else self.base
        return base + path

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        found = _OPERATION.search(body)
        operation = found.group(1).decode() if found else ""
        self.operations.append(operation)
        if operation == "GetDeviceInformation" and self.behaviour == "redirect":
            return web.Response(status=307, headers={"Location": self.elsewhere + "/onvif/device"})
        if operation == "GetDeviceInformation" and self.behaviour == "huge":
            return await self._huge(request)
        answer = self._answer(operation)
        status = 500 if b"<s:Fault>" in answer else 200
        return web.Response(
            status=status, body=answer, content_type="application/soap+xml", charset="utf-8"
        )

    def _answer(self, operation: str) -> bytes:
        now = dt.datetime.now(dt.UTC)
        if operation == "GetSystemDateAndTime":
            return envelope(
                "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false"
                "</tt:DaylightSavings><tt:UTCDateTime>"
                f"<tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
                f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}"
                f"</tt:Year><tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date>"
                "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
            )
        if operation == "GetServices":
            if self.behaviour == "capabilities_outside":
                return _fault("GetServices not supported")
            return envelope(
                "<tds:GetServicesResponse>"
                + _service(DEVICE_NS, self.base + "/onvif/device_service")
                + _service(MEDIA_NS, self._there("/onvif/media"))
                + _service(EVENTS_NS, self._there("/onvif/events"))
                + "</tds:GetServicesResponse>"
            )
        if operation == "GetCapabilities":
            return envelope(
                "<tds:GetCapabilitiesResponse><tds:Capabilities>"
                f"<tt:Events><tt:XAddr>{self._there('/onvif/events')}</tt:XAddr>"
                "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
                "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
                "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
                "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>"
                f"<tt:Media><tt:XAddr>{self._there('/onvif/media')}</tt:XAddr>"
                "<tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>"
                "<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP>"
                "</tt:StreamingCapabilities></tt:Media>"
                "</tds:Capabilities></tds:GetCapabilitiesResponse>"
            )
        if operation == "GetDeviceInformation":
            return envelope(
                "<tds:GetDeviceInformationResponse><tds:Manufacturer>Hostile</tds:Manufacturer>"
                "<tds:Model>H-1</tds:Model><tds:FirmwareVersion>6.6.6</tds:FirmwareVersion>"
                "<tds:SerialNumber>SN-H1</tds:SerialNumber><tds:HardwareId>HW-1</tds:HardwareId>"
                "</tds:GetDeviceInformationResponse>"
            )
        if operation == "GetProfiles":
            return envelope(
                '<trt:GetProfilesResponse><trt:Profiles token="P1" fixed="true">'
                "<tt:Name>Main</tt:Name></trt:Profiles></trt:GetProfilesResponse>"
            )
        if operation in ("GetStreamUri", "GetSnapshotUri"):
            uri = self._uri(operation)
            return envelope(f"<trt:{operation}Response>{uri}</trt:{operation}Response>")
        if operation == "CreatePullPointSubscription":
            later = now + dt.timedelta(seconds=60)
            return envelope(
                "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
                f"<wsa:Address>{self._there('/onvif/pullpoint')}</wsa:Address>"
                "</tev:SubscriptionReference>"
                f"<wsnt:CurrentTime>{now.isoformat()}</wsnt:CurrentTime>"
                f"<wsnt:TerminationTime>{later.isoformat()}</wsnt:TerminationTime>"
                "</tev:CreatePullPointSubscriptionResponse>"
            )
        if operation == "PullMessages":
            return envelope(
                f"<tev:PullMessagesResponse><tev:CurrentTime>{now.isoformat()}</tev:CurrentTime>"
                f"<tev:TerminationTime>{now.isoformat()}</tev:TerminationTime>"
                "</tev:PullMessagesResponse>"
            )
        if operation == "Unsubscribe":
            return envelope("<wsnt:UnsubscribeResponse/>")
        return _fault(f"{operation} not supported")

    def _uri(self, operation: str) -> str:
        there = urlsplit(self.elsewhere).netloc if self.behaviour == "uris_outside" else self.host
        if operation == "GetStreamUri":
            return _media_uri(f"rtsp://{there}/stream1")
        return _media_uri(f"http://{there}/internal.jpg")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        """Stream a GetDeviceInformation answer whose model name is HUGE_BYTES long."""
        response = web.StreamResponse(headers={"Content-Type": "application/soap+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        head, tail = envelope(
            "<tds:GetDeviceInformationResponse><tds:Manufacturer>Hostile</tds:Manufacturer>"
            "<tds:Model>@</tds:Model><tds:FirmwareVersion>1</tds:FirmwareVersion>"
            "<tds:SerialNumber>S</tds:SerialNumber><tds:HardwareId>H</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        ).split(b"@")
        chunk = b"A" * (1024 * 1024)
        try:
            await response.write(head)
            for _ in range(HUGE_BYTES // len(chunk)):
                await response.write(chunk)
            await response.write(tail)
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client hung up, as it should
        return response


class CountingListener:
    """A TCP listener that counts every connection made to it (and closes each at once)."""

    def __init__(self, host: str) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.host, self.port = self._sock.getsockname()
        self.connections = 0
        self._running = True
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        """http://host:port of this listener."""
        return f"http://{self.host}:{self.port}"

    def _accept(self) -> None:
        while self._running:
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def __enter__(self) -> CountingListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running = False
        self._thread.join(2)
        self._sock.close()
