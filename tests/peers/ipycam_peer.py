"""A real ipycam virtual ONVIF/RTSP camera in a subprocess, as a test peer and pytest fixtures.

Use from a test module::

    from tests.peers.ipycam_peer import ipycam_camera, ipycam_shared  # noqa: F401  (fixtures)

    async def test_x(ipycam_camera):
        cam = ipycam_camera(pattern="grey", clock_offset_seconds=-120)
        cam.host, cam.onvif_port, cam.rtsp_port, cam.rtsp_url, cam.username, cam.password

`ipycam_camera` is a factory (function scope, every camera stopped at teardown);
`ipycam_shared` is one healthy camera per xdist worker (session scope) for read-only tests.
Outside pytest: ``with IpycamPeer(...) as cam: ...`` or ``cam = start_camera(...); cam.stop()``.

The camera runs as ``python -m tests.peers.ipycam_peer --host ... --onvif-port ...`` (see
`_runner_main`), optionally with Debian's libfaketime preloaded for a wrong clock
(``clock_offset_seconds=-120``), movable while it runs (``adjustable_clock=True`` then
``cam.set_clock_offset(-1000)``). It binds only its own
127.x.y.z address (ipycam binds all interfaces by default), never starts WS-Discovery (multicast
on UDP 3702 would leave loopback and collide between cameras), and serves RTSP with its native
server, which runs the ``ffmpeg`` binary. Stopping terminates the whole process group.

ONVIF events: ipycam ships without an events service. ``events=("tamper", "too_dark")`` (names
in `EVENT_PRESETS`) and/or ``boot_time=<epoch>`` extend the camera process with a minimal
PullPoint service (GetServices lists it; CreatePullPointSubscription, PullMessages, Unsubscribe)
that reports those conditions the way camera firmware does, as "Initialized" property events.
This is the allowed kind of fake: camera-side analytics no real peer produces on demand.

Frame sources (``pattern``): a name from `PATTERNS` (``scene`` a textured healthy scene with
live sensor noise, ``still`` the same scene without noise (a repeated buffer), ``grey`` a
solid grey field, ``black``, ``white``, ``noise``, ``blur`` the scene blurred) or
``"module:function"`` naming an importable ``function(width, height, index) -> BGR uint8 array``.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "cam-test-pw-7"
START_TIMEOUT_SECONDS = 30.0

_address_counter = itertools.count(2)


def unique_loopback_host() -> str:
    """Return a 127.x.y.z address unlikely to be used by another test or xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    worker_n = int(worker) if worker.isdigit() else 0
    n = next(_address_counter)
    return f"127.{40 + worker_n % 50}.{(os.getpid() + n // 250) % 254 + 1}.{n % 250 + 2}"


def free_port(host: str) -> int:
    """Return a TCP port that is free on `host` right now (bind to port 0 and release)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class IpycamPeer:
    """One virtual camera process: connection facts for tests and a clean stop."""

    host: str = field(default_factory=unique_loopback_host)
    onvif_port: int = 0
    rtsp_port: int = 0
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    pattern: str = "scene"
    width: int = 640
    height: int = 360
    fps: int = 10
    clock_offset_seconds: float = 0.0
    # Run under libfaketime even at offset 0, so set_clock_offset() can move the clock later.
    adjustable_clock: bool = False
    manufacturer: str = "CamwatchTest"
    model: str = "VirtualCam-1"
    serial: str = "SN-0001"
    firmware: str = "1.3.0"
    show_timestamp: bool = False
    # Conditions the camera reports about itself over ONVIF events (names from EVENT_PRESETS);
    # empty = ipycam as shipped, without an events service.
    events: tuple[str, ...] = ()
    boot_time: float | None = None
    # State of the camera's one recording job ("Active" healthy, "Error" failed medium);
    # None = no recording service, as ipycam ships.
    recording_state: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _workdir: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        # Never show the password in a repr (test reports print fixtures).
        return f"IpycamPeer(host={self.host!r}, onvif={self.onvif_port}, rtsp={self.rtsp_port})"

    @property
    def main_stream(self) -> str:
        """Path name of the main RTSP stream."""
        return "video_main"

    @property
    def sub_stream(self) -> str:
        """Path name of the sub RTSP stream (half size)."""
        return "video_sub"

    @property
    def rtsp_url(self) -> str:
        """The main stream URL (ipycam's RTSP server does not ask for credentials)."""
        return f"rtsp://{self.host}:{self.rtsp_port}/{self.main_stream}"

    @property
    def rtsp_sub_url(self) -> str:
        """The sub stream URL."""
        return f"rtsp://{self.host}:{self.rtsp_port}/{self.sub_stream}"

    @property
    def onvif_url(self) -> str:
        """The ONVIF device service URL."""
        return f"http://{self.host}:{self.onvif_port}/onvif/device_service"

    @property
    def snapshot_url(self) -> str:
        """The JPEG snapshot URL (HTTP Basic auth when credentials are set)."""
        return f"http://{self.host}:{self.onvif_port}/snapshot.jpg"

    @property
    def running(self) -> bool:
        """True while the camera process is alive."""
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        """The command line that runs this camera (its clock offset travels by environment)."""
        cmd = [
            sys.executable,
            "-m",
            "tests.peers.ipycam_peer",
            "--host",
            self.host,
            "--onvif-port",
            str(self.onvif_port),
            "--rtsp-port",
            str(self.rtsp_port),
            "--pattern",
            self.pattern,
            "--width",
            str(self.width),
            "--height",
            str(self.height),
            "--fps",
            str(self.fps),
            "--manufacturer",
            self.manufacturer,
            "--model",
            self.model,
            "--serial",
            self.serial,
            "--firmware",
            self.firmware,
        ]
        if self.show_timestamp:
            cmd.append("--timestamp")
        if self.events or self.boot_time is not None or self.recording_state:
            cmd += ["--events", ",".join(self.events)]
        if self.recording_state:
            cmd += ["--recording-state", self.recording_state]
        if self.boot_time is not None:
            cmd += ["--boot-time", str(self.boot_time)]
        return cmd

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> IpycamPeer:
        """Start the camera and wait until ONVIF and RTSP answer; RuntimeError if they do not."""
        if self.running:
            return self
        self.onvif_port = self.onvif_port or free_port(self.host)
        self.rtsp_port = self.rtsp_port or free_port(self.host)
        self._workdir = tempfile.TemporaryDirectory(prefix="ipycam-")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        if self.clock_offset_seconds or self.adjustable_clock:
            env.update(self._faketime_env())
        # Credentials travel by environment, not argv, so `ps` does not show them.
        env["IPYCAM_PEER_USERNAME"] = self.username
        env["IPYCAM_PEER_PASSWORD"] = self.password
        with open(Path(self._workdir.name) / "stderr.log", "wb") as stderr:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self._workdir.name,
                env=env,
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _faketime_env(self) -> dict[str, str]:
        """Debian libfaketime preloaded, reading its offset from a file we can rewrite."""
        assert self._workdir is not None
        libs = sorted(glob.glob("/usr/lib/*/faketime/libfaketimeMT.so.1"))
        if not libs:
            raise RuntimeError("Debian package faketime is not installed")
        self._write_clock_file(self.clock_offset_seconds)
        return {
            "LD_PRELOAD": libs[0],
            "FAKETIME_TIMESTAMP_FILE": str(Path(self._workdir.name) / "faketime.rc"),
            # Re-read the file every second, so set_clock_offset() takes effect while running.
            "FAKETIME_CACHE_DURATION": "1",
        }

    def _write_clock_file(self, offset_seconds: float) -> None:
        assert self._workdir is not None
        path = Path(self._workdir.name) / "faketime.rc"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(f"{offset_seconds:+.0f}s\n")
        tmp.replace(path)

    def set_clock_offset(self, offset_seconds: float) -> None:
        """Move the running camera's clock (needs adjustable_clock or a non-zero start offset).

        Returns once the camera's own HTTP Date header shows the new clock (libfaketime
        re-reads its file about once a second).
        ipycam paces frames by the wall clock: moving it back stalls the picture (ONVIF and
        RTSP keep answering), so use it for clock tests, not stream tests.
        """
        if not self.running or not (self.clock_offset_seconds or self.adjustable_clock):
            raise RuntimeError("start the camera with adjustable_clock=True to move its clock")
        self.clock_offset_seconds = offset_seconds
        self._write_clock_file(offset_seconds)
        # Wait until the camera's HTTP Date header shows the new clock.
        end = time.monotonic() + 10
        while time.monotonic() < end:
            shown = _http_date(self.host, self.onvif_port)
            if shown is not None and abs(shown - time.time() - offset_seconds) < 5:
                return
            time.sleep(0.2)
        raise RuntimeError("the camera clock did not move within 10 s")

    def _wait_ready(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.running:
                raise RuntimeError(f"ipycam exited early: {self.stderr_tail()}")
            if _onvif_answers(self.host, self.onvif_port) and _rtsp_answers(
                self.host, self.rtsp_port, self.main_stream
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"ipycam did not answer within {timeout:.0f} s: {self.stderr_tail()}")

    def stderr_tail(self, limit: int = 2000) -> str:
        """The end of the camera's stderr, for failure messages."""
        if self._workdir is None:
            return ""
        path = Path(self._workdir.name) / "stderr.log"
        return path.read_text(errors="replace")[-limit:] if path.exists() else ""

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the camera's whole process group (python and its ffmpeg encoders)."""
        proc, self.process = self.process, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)
            # ffmpeg children may outlive the runner; the group kill reaches them too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> IpycamPeer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_camera(**kwargs: object) -> IpycamPeer:
    """Start a camera with `IpycamPeer` fields as keyword arguments and return it running."""
    return IpycamPeer(**kwargs).start()


def _onvif_answers(host: str, port: int) -> bool:
    """True once the ONVIF HTTP endpoint answers a SOAP POST with any HTTP status."""
    body = b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body/></s:Envelope>"
    request = (
        f"POST /onvif/device_service HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/soap+xml\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
    return _exchange(host, port, request).startswith(b"HTTP/1.")


def _rtsp_answers(host: str, port: int, stream: str) -> bool:
    """True once the RTSP server answers OPTIONS with 200."""
    request = f"OPTIONS rtsp://{host}:{port}/{stream} RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode()
    return _exchange(host, port, request, until_close=False).startswith(b"RTSP/1.0 200")


def _http_date(host: str, port: int) -> float | None:
    """The time in the camera's HTTP Date header (any status), or None."""
    import email.utils

    request = f"GET / HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode()
    try:
        with socket.create_connection((host, port), timeout=1.0) as s:
            s.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = s.recv(4096)
                if not chunk:
                    break
                head += chunk
    except OSError:
        return None
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "date":
            with contextlib.suppress(TypeError, ValueError):
                return email.utils.parsedate_to_datetime(value.strip()).timestamp()
    return None


def _exchange(host: str, port: int, request: bytes, *, until_close: bool = True) -> bytes:
    try:
        with socket.create_connection((host, port), timeout=1.0) as s:
            s.sendall(request)
            head = s.recv(64)
            # Read the rest so the camera does not log a broken pipe for our early close.
            with contextlib.suppress(OSError):
                while until_close and s.recv(65536):
                    pass
            return head
    except OSError:
        return b""


# ---------------------------------------------------------------------------------------------
# Frame patterns (also used by the runner subprocess)


def _scene(width: int, height: int) -> np.ndarray:
    """A deterministic textured street-like scene: sky, buildings, road, edges of many sizes."""
    rng = np.random.default_rng(1234)
    img = np.zeros((height, width, 3), np.uint8)
    horizon = height * 2 // 5
    sky = np.linspace(230, 170, horizon, dtype=np.float32)[:, None]
    img[:horizon] = np.stack([sky + 10, sky, sky - 40], axis=-1).clip(0, 255).astype(np.uint8)
    img[horizon:] = (90, 95, 100)
    x = 0
    while x < width:
        w = int(rng.integers(width // 16, width // 6))
        top = int(rng.integers(height // 8, horizon))
        colour = rng.integers(40, 200, 3)
        img[top : horizon + height // 5, x : x + w] = colour
        for wy in range(top + 6, horizon + height // 5 - 8, 14):
            for wx in range(x + 4, x + w - 8, 12):
                lit = rng.random() >= 0.6
                img[wy : wy + 6, wx : wx + 5] = (180, 220, 240) if lit else (30, 40, 60)
        x += w + int(rng.integers(2, 10))
    lane_y = height * 4 // 5
    for lx in range(0, width, width // 10):
        img[lane_y : lane_y + 4, lx : lx + width // 20] = 235
    texture = rng.normal(0, 6, (height, width, 1)).astype(np.float32)
    return (img.astype(np.float32) + texture).clip(0, 255).astype(np.uint8)


def _make_pattern(name: str, width: int, height: int) -> Callable[[int], np.ndarray]:
    """Return `frame(index)` for a named pattern or an importable "module:function"."""
    if ":" in name:
        import importlib

        module, func = name.split(":", 1)
        fn = getattr(importlib.import_module(module), func)
        return lambda i: fn(width, height, i)
    if name in ("grey", "gray"):
        solid = np.full((height, width, 3), 128, np.uint8)
        return lambda i: solid
    if name in ("black", "white"):
        solid = np.full((height, width, 3), 0 if name == "black" else 255, np.uint8)
        return lambda i: solid
    rng = np.random.default_rng(7)
    if name == "noise":
        return lambda i: rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    base = _scene(width, height)
    if name == "still":
        return lambda i: base
    if name == "blur":
        import cv2

        blurred = cv2.GaussianBlur(base, (0, 0), 6)
        return lambda i: blurred
    if name == "scene":
        base16 = base.astype(np.int16)

        def live(i: int) -> np.ndarray:
            # A live sensor changes most pixels by a grey level or two between grabs.
            jitter = rng.integers(-2, 3, base.shape, dtype=np.int16)
            return (base16 + jitter).clip(0, 255).astype(np.uint8)

        return live
    raise ValueError(f"unknown frame pattern {name!r}; known: {', '.join(PATTERNS)}")


PATTERNS = ("scene", "still", "grey", "black", "white", "noise", "blur")


# ---------------------------------------------------------------------------------------------
# ONVIF events extension (runs in the camera subprocess)

# name -> (topic, source items, data items), as common firmwares send them.
EVENT_PRESETS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "tamper": (
        "tns1:RuleEngine/TamperDetector/Tamper",
        {"VideoSourceConfigurationToken": "VideoSourceConfig_1", "Rule": "MyTamper"},
        {"IsTamper": "true"},
    ),
    "blur": (
        "tns1:VideoSource/ImageTooBlurry/AnalyticsService",
        {"VideoSource": "VideoSource_1"},
        {"State": "true"},
    ),
    "too_dark": (
        "tns1:VideoSource/ImageTooDark/AnalyticsService",
        {"VideoSource": "VideoSource_1"},
        {"State": "true"},
    ),
    "overexposed": (
        "tns1:VideoSource/ImageTooBright/AnalyticsService",
        {"VideoSource": "VideoSource_1"},
        {"State": "true"},
    ),
    "scene_changed": (
        "tns1:VideoSource/GlobalSceneChange/AnalyticsService",
        {"VideoSource": "VideoSource_1"},
        {"State": "true"},
    ),
    "storage_failure": (
        "tns1:Device/HardwareFailure/StorageFailure",
        {"Token": "SD_1"},
        {"Failed": "true"},
    ),
    "motion": ("tns1:VideoSource/MotionAlarm", {"Source": "VideoSource_1"}, {"State": "true"}),
}

_EVENTS_NS = (
    'xmlns:tev="http://www.onvif.org/ver10/events/wsdl" '
    'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" '
    'xmlns:wsa5="http://www.w3.org/2005/08/addressing" '
    'xmlns:tns1="http://www.onvif.org/ver10/topics"'
)


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _notification(topic: str, source: dict[str, str], data: dict[str, str]) -> str:
    def items(values: dict[str, str]) -> str:
        return "".join(f'<tt:SimpleItem Name="{k}" Value="{v}"/>' for k, v in values.items())

    return (
        "<wsnt:NotificationMessage>"
        '<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
        f"{topic}</wsnt:Topic><wsnt:Message>"
        f'<tt:Message UtcTime="{_iso(time.time())}" PropertyOperation="Initialized">'
        f"<tt:Source>{items(source)}</tt:Source><tt:Data>{items(data)}</tt:Data>"
        "</tt:Message></wsnt:Message></wsnt:NotificationMessage>"
    )


def _install_events(
    names: list[str], boot_time: float | None, recording_state: str | None = None
) -> None:
    """Give ipycam's ONVIF service a PullPoint events service (and a recording job) to report."""
    from ipycam.onvif import ONVIFService

    notes = [_notification(*EVENT_PRESETS[n]) for n in names]
    if boot_time is not None:
        notes.append(
            _notification(
                "tns1:Monitoring/OperatingTime/LastReboot", {}, {"Status": _iso(boot_time)}
            )
        )
    original_services = ONVIFService.get_services
    original_action = ONVIFService.handle_action

    def base(self: ONVIFService) -> str:
        return f"http://{self.config.local_ip}:{self.config.onvif_port}/onvif"

    def get_services(self: ONVIFService) -> str:
        entry = (
            "<tds:Service><tds:Namespace>http://www.onvif.org/ver10/events/wsdl</tds:Namespace>"
            f"<tds:XAddr>{base(self)}/events_service</tds:XAddr>"
            "<tds:Version><tt:Major>2</tt:Major><tt:Minor>6</tt:Minor></tds:Version>"
            "</tds:Service>"
        )
        if recording_state:
            entry += (
                "<tds:Service><tds:Namespace>http://www.onvif.org/ver10/recording/wsdl"
                f"</tds:Namespace><tds:XAddr>{base(self)}/recording_service</tds:XAddr>"
                "<tds:Version><tt:Major>2</tt:Major><tt:Minor>6</tt:Minor></tds:Version>"
                "</tds:Service>"
            )
        return original_services(self).replace(
            "</tds:GetServicesResponse>", entry + "</tds:GetServicesResponse>"
        )

    def times() -> str:
        now = time.time()
        return (
            f"<wsnt:CurrentTime>{_iso(now)}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{_iso(now + 60)}</wsnt:TerminationTime>"
        )

    def handle_action(self: ONVIFService, action: str, body: str) -> str | None:
        def called(name: str) -> bool:
            return name in action or (not action and f":{name}" in body)

        if called("CreatePullPointSubscription"):
            return self._wrap_envelope(
                f"<tev:CreatePullPointSubscriptionResponse {_EVENTS_NS}>"
                f"<tev:SubscriptionReference><wsa5:Address>{base(self)}/events_sub/1"
                f"</wsa5:Address></tev:SubscriptionReference>{times()}"
                "</tev:CreatePullPointSubscriptionResponse>"
            )
        if called("PullMessages"):
            now = time.time()
            return self._wrap_envelope(
                f"<tev:PullMessagesResponse {_EVENTS_NS}>"
                f"<tev:CurrentTime>{_iso(now)}</tev:CurrentTime>"
                f"<tev:TerminationTime>{_iso(now + 60)}</tev:TerminationTime>"
                f"{''.join(notes)}</tev:PullMessagesResponse>"
            )
        trc = 'xmlns:trc="http://www.onvif.org/ver10/recording/wsdl"'
        if recording_state and called("GetRecordingJobs"):
            return self._wrap_envelope(
                f"<trc:GetRecordingJobsResponse {trc}><trc:JobItem>"
                "<tt:JobToken>Job_1</tt:JobToken><tt:JobConfiguration>"
                "<tt:RecordingToken>Rec_1</tt:RecordingToken><tt:Mode>Active</tt:Mode>"
                "<tt:Priority>1</tt:Priority></tt:JobConfiguration>"
                "</trc:JobItem></trc:GetRecordingJobsResponse>"
            )
        if recording_state and called("GetRecordingJobState"):
            return self._wrap_envelope(
                f"<trc:GetRecordingJobStateResponse {trc}><trc:State>"
                "<tt:RecordingToken>Rec_1</tt:RecordingToken>"
                f"<tt:State>{recording_state}</tt:State>"
                "</trc:State></trc:GetRecordingJobStateResponse>"
            )
        if called("Unsubscribe"):
            return self._wrap_envelope(f"<wsnt:UnsubscribeResponse {_EVENTS_NS}/>")
        return original_action(self, action, body)

    ONVIFService.get_services = get_services
    ONVIFService.handle_action = handle_action


# ---------------------------------------------------------------------------------------------
# The runner (runs in the camera subprocess)


def _runner_main(argv: list[str] | None = None) -> int:
    """Run one ipycam camera bound to --host until SIGTERM."""
    p = argparse.ArgumentParser(prog="ipycam_peer")
    p.add_argument("--host", required=True)
    p.add_argument("--onvif-port", type=int, required=True)
    p.add_argument("--rtsp-port", type=int, required=True)
    p.add_argument("--pattern", default="scene")
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=360)
    p.add_argument("--fps", type=int, default=10)
    p.add_argument("--manufacturer", default="CamwatchTest")
    p.add_argument("--model", default="VirtualCam-1")
    p.add_argument("--serial", default="SN-0001")
    p.add_argument("--firmware", default="1.3.0")
    p.add_argument("--timestamp", action="store_true")
    p.add_argument("--events", default=None, help="comma-separated EVENT_PRESETS names")
    p.add_argument("--boot-time", type=float, default=None)
    p.add_argument("--recording-state", default=None)
    args = p.parse_args(argv)
    if args.events is not None:
        names = [n for n in args.events.split(",") if n]
        _install_events(names, args.boot_time, args.recording_state)

    import ipycam.camera as ipc
    from ipycam import CameraConfig, IPCamera

    host = args.host

    class BoundServer(ipc.ReusableThreadingTCPServer):
        # ipycam binds ('', port): every interface. A test camera must stay on its own address.
        def __init__(self, address: tuple[str, int], handler: type) -> None:
            super().__init__((host, address[1]), handler)

    class NoDiscovery:
        def __init__(self, *a: object) -> None: ...
        def start(self) -> None: ...
        def stop(self) -> None: ...

    def bound_rtsp(port: int = 8554, host_: str = "") -> object:
        return _native_rtsp(port=port, host=host)

    _native_rtsp = ipc.NativeRTSPServer
    ipc.ReusableThreadingTCPServer = BoundServer
    ipc.WSDiscoveryServer = NoDiscovery
    ipc.NativeRTSPServer = bound_rtsp
    # No go2rtc here: skip its 1 s detection probes against 127.0.0.1:1984.
    ipc.check_go2rtc_running = lambda **kw: False
    ipc.check_rtsp_port_available = lambda **kw: False

    config = CameraConfig(
        name=f"test-{host}",
        manufacturer=args.manufacturer,
        model=args.model,
        serial_number=args.serial,
        firmware_version=args.firmware,
        local_ip=host,
        onvif_port=args.onvif_port,
        rtsp_port=args.rtsp_port,
        go2rtc_api_port=free_port(host),
        username=os.environ.get("IPYCAM_PEER_USERNAME", ""),
        password=os.environ.get("IPYCAM_PEER_PASSWORD", ""),
        main_width=args.width,
        main_height=args.height,
        main_fps=args.fps,
        main_bitrate="1M",
        sub_width=max(2, args.width // 2 // 2 * 2),
        sub_height=max(2, args.height // 2 // 2 * 2),
        sub_fps=args.fps,
        sub_bitrate="512K",
        hw_accel="cpu",
        show_timestamp=args.timestamp,
        source_type="generated",
        source_info=args.pattern,
    )
    camera = IPCamera(config)
    stopping = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    if not camera.start():
        print("ipycam failed to start", file=sys.stderr)
        return 1
    make = _make_pattern(args.pattern, args.width, args.height)
    try:
        for i in itertools.count():
            if stopping or not camera.is_running:
                break
            # stream() paces to main_fps itself; copy so in-place overlays never touch our buffers.
            camera.stream(make(i).copy())
    finally:
        camera.stop()
    return 0


# ---------------------------------------------------------------------------------------------
# pytest fixtures

try:
    import pytest
except ImportError:  # the runner subprocess does not need pytest
    pytest = None

if pytest is not None:

    @pytest.fixture
    def ipycam_camera() -> Iterator[Callable[..., IpycamPeer]]:
        """Factory: `ipycam_camera(**IpycamPeer fields)` starts a camera; all stop at teardown."""
        started: list[IpycamPeer] = []

        def factory(**kwargs: object) -> IpycamPeer:
            cam = IpycamPeer(**kwargs)
            started.append(cam)
            return cam.start()

        yield factory
        for cam in started:
            cam.stop()

    @pytest.fixture(scope="session")
    def ipycam_shared() -> Iterator[IpycamPeer]:
        """One healthy camera (pattern "scene") per test process, for tests that only read."""
        with IpycamPeer() as cam:
            yield cam


if __name__ == "__main__":
    sys.exit(_runner_main())
