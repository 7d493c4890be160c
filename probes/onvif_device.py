"""One reusable onvif-zeep-async client per camera: timeouts, clock offset, back-off, closing."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import time
from typing import Any

import aiohttp
from onvif import ONVIFCamera
from onvif.client import ONVIFService
from zeep import Plugin

from probes.faults import FaultCode
from probes.onvif_errors import ONVIF_EXPECTED_ERRORS, is_auth_refusal

logger = logging.getLogger(__name__)

# After this many consecutive failures a camera is left alone for a while instead of paying a
# full reconnect handshake on every probe; the pause doubles per failure up to the cap.
BACKOFF_AFTER_FAILURES = 3
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 900.0
# The WS-Security window most cameras enforce (ONVIF core spec recommends 5 minutes); a token
# signed further from the camera's clock is refused even with the right password.
WSSE_WINDOW_SECONDS = 300.0
# Re-sign with a new clock offset only when it moved this much (a restart of the services).
RESYNC_THRESHOLD_SECONDS = 2.0


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


class _TimedCamera(ONVIFCamera):
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
        service = await super().create_onvif_service(name, port_type, read_timeout, write_timeout)
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

    def __init__(self, code: str, host: str, port: int, username: str, password: str) -> None:
        self.code = code
        self.host = host
        self.port = port
        self._username = username
        self._password = password
        self._camera: _TimedCamera | None = None
        self._timeout = aiohttp.ClientTimeout(total=5.0, connect=2.0, sock_read=5.0)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connected = False
        self.last_date_header: str | None = None
        self.capabilities: dict[str, Any] | None = None
        # Per-camera failure state for back-off.
        self.consecutive_failures = 0
        self.last_fault: FaultCode | None = None
        self.last_reason = ""
        self.retry_at = 0.0

    def __repr__(self) -> str:
        return f"OnvifDevice(code={self.code!r}, host={self.host!r}, port={self.port})"

    def uses_password(self, password: str) -> bool:
        """True when this client signs with `password` (a changed password needs a new client)."""
        return self._password == password

    @property
    def camera(self) -> _TimedCamera:
        """The library's camera object, created on first use inside the running loop."""
        if self._camera is None:
            self.loop = asyncio.get_running_loop()
            # adjust_time: the library signs tokens with the camera's clock offset (dt_diff).
            self._camera = _TimedCamera(
                self.host, self.port, self._username, self._password,
                adjust_time=True, owner=self,
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
            total=seconds, connect=min(seconds, 3.0), sock_connect=min(seconds, 3.0),
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

    async def connect(self) -> None:
        """Measure the clock offset and discover the service addresses (GetServices)."""
        camera = self.camera
        try:
            await camera.update_xaddrs()
        except ONVIF_EXPECTED_ERRORS as exc:
            if not (is_auth_refusal(exc) and self._offset_from_date_header()):
                raise
            # The camera wants a token even for GetSystemDateAndTime and its clock is outside
            # the token window: sign with the clock its HTTP Date header showed, retry once.
            logger.info("%s: clock outside the WS-Security window, signing with its Date header",
                        self.code)
            offset = camera.dt_diff
            await self._drop_services()
            camera.dt_diff = offset
            camera.xaddrs = {}
            devicemgmt = await camera.create_devicemgmt_service()
            # update_xaddrs() would reset dt_diff; these are its two discovery steps.
            if not await camera._update_xaddrs_from_services(devicemgmt):
                await camera._update_xaddrs_from_capabilities(devicemgmt)
        self.connected = True

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
        self._camera.dt_diff = diff
        return True

    async def resync_clock(self, offset_seconds: float) -> None:
        """Sign future tokens with a new clock offset if it moved noticeably."""
        current = self.dt_diff
        if current is not None and abs(current.total_seconds() - offset_seconds) < (
            RESYNC_THRESHOLD_SECONDS
        ):
            return
        camera = self.camera
        await self._drop_services()
        camera.dt_diff = dt.timedelta(seconds=offset_seconds)

    async def _drop_services(self) -> None:
        """Close every service; they are rebuilt (from the cached WSDL) on next use."""
        if self._camera is None:
            return
        services = list(self._camera.services.values())
        self._camera.services.clear()
        for service in services:
            await service.close()

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
        self.capabilities = None
        await self._drop_services()
        if self._camera is not None:
            self._camera.dt_diff = None
            self._camera.xaddrs = {}

    async def close(self) -> None:
        """Close every aiohttp session this device opened."""
        self.connected = False
        camera, self._camera = self._camera, None
        if camera is not None:
            await camera.close()
            camera.services.clear()
