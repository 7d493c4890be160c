"""Running a simulated fleet: listeners per camera address, RTSP subset, run-time faults."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

from aiohttp import web

from monitor.simulator.device import CameraRuntime, DeviceHandlers
from monitor.simulator.model import CameraFaults, PictureKind, SimCamera
from monitor.simulator.rtsp import RtspCamera, RtspFeeder
from monitor.simulator.scene import PictureSource

logger = logging.getLogger(__name__)
T = TypeVar("T")
_LISTEN_BACKLOG = 128


def _listen(address: str, port: int) -> socket.socket:
    """A listening TCP socket on address:port (port 0 picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(_LISTEN_BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


class SimulatedFleet:
    """A fleet of virtual cameras on loopback; `async with` it, or `start_in_thread()` it."""

    def __init__(self, cameras: Iterable[SimCamera], *, rtsp: bool = True) -> None:
        cams = list(cameras)
        if len({c.address for c in cams}) != len(cams):
            raise ValueError("every simulated camera needs its own address")
        self.cameras: dict[str, SimCamera] = {c.code: c for c in cams}
        self._rtsp_enabled = rtsp
        self._by_address: dict[str, CameraRuntime] = {}
        self._by_code: dict[str, CameraRuntime] = {}
        self._rtsp: dict[str, RtspCamera] = {}
        self._feeder = RtspFeeder()
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def rtsp_enabled(self) -> bool:
        """Whether the RTSP subset gets real streams."""
        return self._rtsp_enabled

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Open every camera's listeners in the running event loop."""
        self._loop = asyncio.get_running_loop()
        handlers = DeviceHandlers(self._by_address.get)
        self._runner = web.AppRunner(
            handlers.app(), handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        try:
            for cam in self.cameras.values():
                source = PictureSource(cam.code, cam.scene_seed, cam.picture, cam.width, cam.height)
                rt = CameraRuntime(cam, source)
                self._by_address[cam.address] = rt
                self._by_code[cam.code] = rt
                if self._rtsp_enabled and cam.rtsp:
                    self._rtsp[cam.code] = RtspCamera(cam, source)
                    self._feeder.add(self._rtsp[cam.code])
                if not cam.faults.offline:
                    await self._open(rt)
            if self._rtsp:
                self._feeder.start()
        except BaseException:
            await self.stop()
            raise
        logger.info(
            "simulated fleet up: %d cameras, %d with RTSP", len(self.cameras), len(self._rtsp)
        )

    async def stop(self) -> None:
        """Close every listener and RTSP stream."""
        self._feeder.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for rt in self._by_code.values():
            rt.site = None

    async def __aenter__(self) -> SimulatedFleet:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _open(self, rt: CameraRuntime) -> None:
        """Start listening for one camera (ONVIF/snapshot, and RTSP in the subset)."""
        assert self._runner is not None
        cam = rt.cam
        sock = _listen(cam.address, cam.onvif_port)
        cam.onvif_port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        rt.site = site
        if cam.code in self._rtsp:
            self._rtsp[cam.code].start()

    async def _close(self, rt: CameraRuntime) -> None:
        """Stop listening for one camera; new connections are refused from now on."""
        if rt.site is not None:
            await rt.site.stop()
            rt.site = None
        if rt.cam.code in self._rtsp:
            await asyncio.to_thread(self._rtsp[rt.cam.code].stop)
        rt.subscriptions.clear()

    # -- run-time changes ------------------------------------------------------------------

    def runtime(self, code: str) -> CameraRuntime:
        """The running state of one camera (KeyError for an unknown code)."""
        return self._by_code[code]

    async def set_faults(self, code: str, **changes: Any) -> CameraFaults:
        """Change a camera's faults (any CameraFaults field); `offline` opens/closes listeners."""
        rt = self._by_code[code]
        faults = rt.cam.faults
        for name, value in changes.items():
            if name not in CameraFaults.__dataclass_fields__:
                raise ValueError(f"unknown fault field {name!r}")
            if name == "faulty_operations":
                value = frozenset(value)
            was_offline = faults.offline
            setattr(faults, name, value)
            if name == "offline" and bool(value) != was_offline:
                if value:
                    await self._close(rt)
                else:
                    try:
                        await self._open(rt)
                    except OSError:
                        faults.offline = True  # still not listening: say so
                        raise
                    # A camera coming back has just booted.
                    rt.cam.boot_time = time.time()
        logger.info("%s faults now %s", code, faults.labels() or ["none"])
        return faults

    def set_picture(self, code: str, kind: PictureKind | str) -> None:
        """Show another picture (healthy or a fault) from now on."""
        rt = self._by_code[code]
        rt.cam.picture = PictureKind(kind)
        rt.source.kind = rt.cam.picture

    def reboot(self, code: str) -> float:
        """Mark the camera as just restarted (its LastReboot event changes); returns boot time."""
        cam = self._by_code[code].cam
        cam.boot_time = time.time()
        return cam.boot_time

    def replace_device(self, code: str, serial: str | None = None) -> str:
        """Swap in another unit: the serial number changes (and the camera reboots)."""
        cam = self._by_code[code].cam
        cam.identity.serial = serial or f"{cam.identity.serial[:-6]}R{time.time_ns() % 10**5:05d}"
        cam.boot_time = time.time()
        return cam.identity.serial

    # -- background thread -----------------------------------------------------------------

    def start_in_thread(self, timeout: float = 60.0) -> SimulatedFleet:
        """Run the fleet in its own event loop on a daemon thread (for sync callers)."""
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # handed to the caller below
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="sim-fleet", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("simulated fleet did not start in time")
        if failure:
            raise failure[0]
        return self

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine of this fleet (e.g. set_faults) from another thread; wait for it."""
        if self._loop is None or self._thread is None:
            coro.close()
            raise RuntimeError("the fleet is not running in a background thread")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop_thread(self, timeout: float = 30.0) -> None:
        """Stop a fleet started with start_in_thread and join its thread."""
        if self._thread is None or self._loop is None:
            return
        self.call(self.stop(), timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._thread = None
