"""Real RTSP video for the RTSP subset: ipycam's native server per camera, fed by the generator."""

from __future__ import annotations

import logging
import socket
import threading
import time

from ipycam.rtsp import NativeRTSPServer

from monitor.simulator.model import SimCamera
from monitor.simulator.scene import PictureSource

logger = logging.getLogger(__name__)


def free_port(address: str) -> int:
    """A TCP port free on `address` right now (each camera has its own address, so no races)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


class RtspCamera:
    """One camera's RTSP listener (ipycam NativeRTSPServer bound to the camera's own address)."""

    def __init__(self, cam: SimCamera, source: PictureSource) -> None:
        if cam.rtsp_port == 0:
            cam.rtsp_port = free_port(cam.address)
        self.cam = cam
        self.source = source
        self.server = NativeRTSPServer(port=cam.rtsp_port, host=cam.address)
        self.server.add_stream(cam.stream_name, cam.width, cam.height, cam.fps, bitrate="1M")
        self._next_frame = 0.0

    def start(self) -> None:
        """Listen; raises OSError when the address/port cannot be bound."""
        if not self.server.start():
            raise OSError(
                f"{self.cam.code}: RTSP server could not bind "
                f"{self.cam.address}:{self.cam.rtsp_port}"
            )

    def stop(self) -> None:
        """Stop listening and end every session (and its ffmpeg encoder)."""
        self.server.stop()

    def feed(self, now: float) -> None:
        """Hand the encoder a new picture when one is due and somebody is watching."""
        if now < self._next_frame or not self.server.is_running:
            return
        self._next_frame = now + 1.0 / self.cam.fps
        # Encoders run only while a client plays; grabbing for nobody would waste CPU.
        if self.server.client_count:
            self.server.stream_frame(self.cam.stream_name, self.source.grab())


class RtspFeeder:
    """One background thread pacing frames into every RTSP camera of the fleet."""

    def __init__(self) -> None:
        self._cameras: list[RtspCamera] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, camera: RtspCamera) -> None:
        """Feed this camera from now on."""
        self._cameras.append(camera)

    def start(self) -> None:
        """Start the pacing thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sim-rtsp-feeder", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the pacing thread and every RTSP server."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for camera in self._cameras:
            camera.stop()

    def _run(self) -> None:
        tick = 1.0 / max((c.cam.fps for c in self._cameras), default=5) / 2
        while not self._stop.wait(tick):
            now = time.monotonic()
            for camera in self._cameras:
                try:
                    camera.feed(now)
                except (OSError, ValueError):
                    # A client leaving mid-frame must not stop the other streams.
                    logger.exception("%s: feeding the RTSP encoder failed", camera.cam.code)
