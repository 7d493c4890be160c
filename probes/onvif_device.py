"""One reusable onvif-zeep-async client per camera: timeouts, clock offset, back-off, closing."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import onvif.settings
from onvif import ONVIFCamera
from onvif.client import AsyncTransportProtocolErrorHandler, ONVIFService
from zeep import Plugin

from probes.faults import FaultCode
from probes.netguard import AnswerTooLarge, OutsideNetworks
from probes.onvif_errors import ONVIF_EXPECTED_ERRORS, is_auth_refusal

logger = logging.getLogger(__name__)

# The library turns lxml's huge_tree on for every zeep client (text nodes > 10 MB, deep trees):
# a camera is untrusted, so keep lxml's own limits (ONVIF WSDLs and answers fit well inside).
onvif.settings.DEFAULT_SETTINGS.xml_huge_tree = False

# After this many consecutive failures a camera is left alone for a while instead of paying a
# full reconnect handshake on every probe; the pause doubles per failure up to the cap.
BACKOFF_AFTER_FAILURES = 3
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 900.0
# The WS-Security window most cameras enforce (ONVIF core spec recommends 5 minutes); a token
# signed further from the camera's clock is refused even with the right password.
WSSE_WINDOW_SECONDS = 300.0
# Re-sign with a new clock offset only when it moved this much (readings are whole seconds).
RESYNC_THRESHOLD_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ClockReading:
    """One GetSystemDateAndTime: camera clock minus true time, and the exchange's round trip."""

    offset_seconds: float
    rtt_seconds: float


class _DateHeaderPlugin(Plugin):
    """Remembers the HTTP Date header of every SOAP reply, faults included."""

    def __init__(self, device: OnvifDevice) -> None:
        self.device = device

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        """Record the camera's Date header (a clock reading that needs no authentication)."""
        value = http_headers.get("Date") if http_headers is not None else None
        if value:
            self.device.last_date_header = value
        return envelope, http_headers


class _GuardedTransport(AsyncTransportProtocolErrorHandler):  # type: ignore[misc]  # untyped library
    """The library's SOAP transport, refusing other hosts, redirects and oversized answers.

    The library builds its transport inside ONVIFService.__init__ with no hook, so the device
    switches each new service's transport to this class (`_TimedCamera.create_onvif_service`).
    """

    pinned: tuple[str, int] = ("", 0)
    max_bytes: int = 2 * 1024 * 1024

    def _check(self, address: str) -> None:
        parts = urlsplit(address)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (parts.hostname or "", port) != self.pinned:
            raise OutsideNetworks(
                FaultCode.ONVIF_ERROR,
                f"refused to send to {parts.hostname}:{port}, not the registered camera address",
            )

    async def _post_internal(
        self, address: str, message: str | bytes, headers: dict[str, str]
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        """POST one envelope to the pinned address only; no redirect, at most max_bytes read."""
        self._check(address)
        headers = headers or {}
        headers.setdefault("Content-Type", 'text/xml; charset="utf-8"')
        data = message.encode("utf-8") if isinstance(message, str) else message
        response = await self.session.post(
            address,
            data=data,
            headers=headers,
            timeout=self._client_timeout,
            allow_redirects=False,
        )
        try:
            if 300 <= response.status < 400:
                raise OutsideNetworks(
                    FaultCode.ONVIF_ERROR,
                    f"camera answered HTTP {response.status} (a redirect); not followed",
                )
            content = await read_capped(response, self.max_bytes)
        except BaseException:
            # Drop the connection: a half-read answer must not be reused for the next request.
            response.close()
            raise
        return response, content

    async def get(
        self,
        address: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """zeep GETs only remote WSDL imports; ONVIF's are local, so a camera gets none."""
        raise OutsideNetworks(FaultCode.ONVIF_ERROR, "refused to fetch a remote document")


async def read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body of `response`, or AnswerTooLarge once it passes `limit` bytes (decoded)."""
    declared = response.content_length
    if declared is not None and declared > limit:
        raise AnswerTooLarge(
            FaultCode.ONVIF_ERROR, f"ONVIF answer of {declared} bytes exceeds the {limit} byte cap"
        )
    body = bytearray()
    async for chunk in response.content.iter_chunked(65536):
        body += chunk
        if len(body) > limit:
            raise AnswerTooLarge(
                FaultCode.ONVIF_ERROR, f"ONVIF answer exceeds the {limit} byte cap"
            )
    return bytes(body)


class _TimedCamera(ONVIFCamera):  # type: ignore[misc]  # the library ships no type hints
    """ONVIFCamera whose every service uses the timeouts the probe sets (never the 90 s default)."""

    def __init__(self, *args: Any, owner: OnvifDevice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owner = owner

    async def create_onvif_service(
        self,
        name: str,
        port_type: str | None = None,
        read_timeout: int | None = None,
        write_timeout: int | None = None,
    ) -> ONVIFService:
        """Create (or reuse) a service, then give it the owner's current timeouts and plugin."""
        # Shielded: the library opens the service's aiohttp session before an await; a probe
        # timing out right there left that session unreferenced and unclosed. Finished, the
        # service is in self.services and closed with the others.
        service = await asyncio.shield(
            super().create_onvif_service(name, port_type, read_timeout, write_timeout)
        )
        transport = service.transport
        if not isinstance(transport, _GuardedTransport):
            transport.__class__ = _GuardedTransport
        transport.pinned = (self._owner.address, self._owner.port)
        transport.max_bytes = self._owner.max_answer_bytes
        self._owner.apply_timeout(service)
        if service.zeep_client is not None and not any(
            isinstance(p, _DateHeaderPlugin) for p in service.zeep_client.plugins
        ):
            plugin = _DateHeaderPlugin(self._owner)
            service.zeep_client.plugins.append(plugin)
            service.zeep_client_authless.plugins.append(plugin)
        return service


class OnvifDevice:
    """The long-lived ONVIF client of one camera: create once, reuse between probes, close."""

    def __init__(
        self,
        code: str,
        address: str,
        port: int,
        username: str,
        password: str,
        *,
        max_answer_bytes: int = 2 * 1024 * 1024,
    ) -> None:
        self.code = code
        # The camera's address, resolved and checked at probe time: every service address the
        # camera announces is rewritten to it (nat_override) and the transport refuses others.
        self.address = address
        self.port = port
        self.max_answer_bytes = max_answer_bytes
        self._username = username
        self._password = password
        self._camera: _TimedCamera | None = None
        self._timeout = aiohttp.ClientTimeout(total=5.0, connect=2.0, sock_read=5.0)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connected = False
        self.last_date_header: str | None = None
        self.clock_needs_token = False
        # One probe at a time per camera: connect() and the clock offset are shared state.
        self.lock = asyncio.Lock()
        # Per-camera failure state for back-off.
        self.consecutive_failures = 0
        self.last_fault: FaultCode | None = None
        self.last_reason = ""
        self.retry_at = 0.0
        # Profiles and stream/snapshot URIs change only when someone reconfigures the camera:
        # asked again every few probes, after a reconnect, or when the firmware changes.
        self.media: dict[str, Any] | None = None
        self.media_uses = 0
        self.media_firmware = ""

    def __repr__(self) -> str:
        return f"OnvifDevice(code={self.code!r}, address={self.address!r}, port={self.port})"

    def uses_password(self, password: str) -> bool:
        """True when this client signs with `password` (a changed password needs a new client)."""
        return self._password == password

    @property
    def camera(self) -> _TimedCamera:
        """The library's camera object, created on first use inside the running loop."""
        if self._camera is None:
            self.loop = asyncio.get_running_loop()
            # The clock handshake is ours (connect): it reads the clock once for both the
            # drift metric and the token offset, which the library applies as dt_diff.
            self._camera = _TimedCamera(
                self.address,
                self.port,
                self._username,
                self._password,
                adjust_time=False,
                nat_override=True,
                owner=self,
            )
        return self._camera

    @property
    def dt_diff(self) -> dt.timedelta | None:
        """The clock offset (camera minus local) the WS-Security tokens are signed with."""
        return None if self._camera is None else self._camera.dt_diff

    def set_timeouts(self, seconds: float) -> None:
        """Bound every following HTTP exchange by `seconds` (from the probe's deadline)."""
        seconds = max(0.05, seconds)
        self._timeout = aiohttp.ClientTimeout(
            total=seconds,
            connect=min(seconds, 3.0),
            sock_connect=min(seconds, 3.0),
            sock_read=seconds,
        )
        if self._camera is not None:
            for service in self._camera.services.values():
                self.apply_timeout(service)

    def apply_timeout(self, service: ONVIFService) -> None:
        """Give one service the current timeouts."""
        # The library's transport passes this ClientTimeout to every aiohttp request; it is the
        # only per-request hook (the session default is 90 s total, 30 s connect).
        service.transport._client_timeout = self._timeout

    async def connect(self) -> ClockReading:
        """Read the camera clock, sign with its offset, discover its services (GetServices)."""
        camera = self.camera
        camera.xaddrs = {}
        try:
            reading = await self.read_clock()
        except ONVIF_EXPECTED_ERRORS as exc:
            if not (is_auth_refusal(exc) and self._offset_from_date_header()):
                raise
            # The camera wants a token even for GetSystemDateAndTime and its clock is outside
            # the token window: sign with the clock its HTTP Date header showed, retry once.
            logger.info(
                "%s: clock outside the WS-Security window, signing with its Date header", self.code
            )
            reading = await self.read_clock()
        self.set_clock_offset(reading.offset_seconds)
        devicemgmt = await camera.create_devicemgmt_service()
        # The library's own discovery steps (update_xaddrs() would redo the clock handshake).
        if not await camera._update_xaddrs_from_services(devicemgmt):
            await camera._update_xaddrs_from_capabilities(devicemgmt)
        self.connected = True
        return reading

    async def read_clock(self) -> ClockReading:
        """GetSystemDateAndTime: without a token where the camera allows it, else signed."""
        devicemgmt = await self.camera.create_devicemgmt_service()
        reply = None
        if not self.clock_needs_token:
            sent, t0 = time.time(), time.monotonic()
            try:
                # ONVIF allows GetSystemDateAndTime without a token so clients can sync first.
                reply = await devicemgmt.authless_GetSystemDateAndTime()
            except ONVIF_EXPECTED_ERRORS as exc:
                if not is_auth_refusal(exc):
                    raise
                # This camera wants a token for it too (ipycam, Axis): sign it from now on.
                self.clock_needs_token = True
        if reply is None:
            sent, t0 = time.time(), time.monotonic()
            reply = await devicemgmt.GetSystemDateAndTime()
        rtt = time.monotonic() - t0
        utc = reply.UTCDateTime
        camera_now = dt.datetime(
            utc.Date.Year,
            utc.Date.Month,
            utc.Date.Day,
            utc.Time.Hour,
            utc.Time.Minute,
            utc.Time.Second,
            tzinfo=dt.UTC,
        ).timestamp()
        # The camera read its clock about half-way through the exchange, in whole seconds
        # (truncated: the true reading lies half a second later on average).
        return ClockReading(offset_seconds=camera_now + 0.5 - (sent + rtt / 2), rtt_seconds=rtt)

    def _offset_from_date_header(self) -> bool:
        """Set dt_diff from the last HTTP Date header if it is outside the token window."""
        if not self.last_date_header or self._camera is None:
            return False
        try:
            camera_now = email.utils.parsedate_to_datetime(self.last_date_header)
        except (TypeError, ValueError):
            return False
        if camera_now.tzinfo is None:
            camera_now = camera_now.replace(tzinfo=dt.UTC)
        diff = camera_now - dt.datetime.now(dt.UTC)
        if abs(diff.total_seconds()) <= WSSE_WINDOW_SECONDS * 0.8:
            return False
        self._apply_dt_diff(diff)
        return True

    def set_clock_offset(self, offset_seconds: float) -> None:
        """Sign tokens with the camera's clock offset (the library's dt_diff), if it moved."""
        current = self.dt_diff
        if current is not None and abs(current.total_seconds() - offset_seconds) < (
            RESYNC_THRESHOLD_SECONDS
        ):
            return
        self._apply_dt_diff(dt.timedelta(seconds=offset_seconds))

    def _apply_dt_diff(self, diff: dt.timedelta) -> None:
        camera = self.camera
        camera.dt_diff = diff
        # Services made before the reading keep their token object; retarget it in place
        # rather than rebuilding sessions and zeep clients.
        for service in camera.services.values():
            service.dt_diff = diff
            wsse = service.zeep_client.wsse if service.zeep_client is not None else None
            if wsse is not None:
                wsse.dt_diff = diff

    async def _drop_services(self) -> None:
        """Close every service; they are rebuilt (from the cached WSDL) on next use."""
        if self._camera is None:
            return
        services = list(self._camera.services.values())
        self._camera.services.clear()
        # Shielded: a timeout or cancellation of the caller must not leave half the sessions
        # open ("Unclosed client session"); the closing finishes on its own.
        await asyncio.shield(
            asyncio.gather(*(service.close() for service in services), return_exceptions=True)
        )

    def record_success(self) -> None:
        """Forget earlier failures."""
        self.consecutive_failures = 0
        self.last_fault = None
        self.retry_at = 0.0

    def record_failure(self, fault: FaultCode, reason: str) -> None:
        """Count a failure; after several, pause probing this camera for a growing while."""
        self.consecutive_failures += 1
        self.last_fault = fault
        self.last_reason = reason
        extra = self.consecutive_failures - BACKOFF_AFTER_FAILURES
        if extra >= 0:
            self.retry_at = time.monotonic() + min(
                BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2**extra
            )

    def backoff_remaining(self) -> float:
        """Seconds until this camera may be probed again (0 when it may be probed now)."""
        return max(0.0, self.retry_at - time.monotonic())

    async def reset(self) -> None:
        """Drop the connection state (after an error the next probe reconnects from scratch)."""
        self.connected = False
        self.media = None
        await self._drop_services()
        if self._camera is not None:
            self._camera.dt_diff = None
            self._camera.xaddrs = {}

    async def close(self) -> None:
        """Close every aiohttp session this device opened."""
        self.connected = False
        camera, self._camera = self._camera, None
        if camera is not None:
            # Shielded for the same reason as in _drop_services.
            await asyncio.shield(camera.close())
            camera.services.clear()
