"""RTSP stream probe: open the stream, read codec/size/fps, decode one keyframe, time it.

PyAV, not OpenCV: OpenCV's FFmpeg backend holds a global lock while opening a stream and waits
30 s by default, so one hung camera would stall every other probe. PyAV passes FFmpeg options
through and interrupts blocking calls on its own (open, read) timeouts. The blocking work runs
in a daemon thread the probe abandons at its deadline; the thread then ends on those timeouts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import av
import av.error
import numpy as np

from probes.errors import (
    ProbeAuthError,
    ProbeError,
    ProbeFailure,
    ProbeProtocolError,
    ProbeTimeout,
    scrub,
)
from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeResult, ProbeTarget

KIND = "rtsp"

logger = logging.getLogger(__name__)

# Codec names as registries and cameras spell them -> FFmpeg's decoder names.
_CODEC_ALIASES = {"h.264": "h264", "avc": "h264", "h.265": "hevc", "h265": "hevc", "mjpg": "mjpeg"}

_UNREACHABLE = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})

_slots_lock = threading.Lock()
_in_flight = 0


class _Control:
    """Shared between the probe and its thread: the abandon flag and how far the thread got."""

    __slots__ = ("stage", "stop")

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.stage = "while opening the stream (RTSP handshake or stream analysis)"


@dataclass(slots=True)
class _Grab:
    """What the worker thread found: stream facts, the decoded frame and when it arrived."""

    codec: str
    width: int
    height: int
    fps: float | None
    frame: np.ndarray
    open_seconds: float
    first_frame_at: float


def in_flight() -> int:
    """Blocking RTSP decodes currently running, abandoned ones included."""
    return _in_flight


def _take_slot(limit: int) -> bool:
    global _in_flight
    with _slots_lock:
        if _in_flight >= limit:
            return False
        _in_flight += 1
        return True


def _release_slot() -> None:
    global _in_flight
    with _slots_lock:
        _in_flight -= 1


def normalise_codec(name: str) -> str:
    """FFmpeg-style codec name for comparing a stream's codec with the registry's expectation."""
    key = name.strip().lower()
    return _CODEC_ALIASES.get(key, key)


def _with_credentials(url: str, username: str | None, password: str | None) -> str:
    """The URL with the stored credentials in its userinfo; only ever handed to FFmpeg."""
    if not username:
        return url
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = quote(username, safe="")
    if password:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def _ffmpeg_options(cfg: ProbeConfig, io_timeout: float) -> dict[str, str]:
    """Container options: TCP transport, short stream analysis, socket I/O timeout."""
    return {
        "rtsp_transport": cfg.rtsp_transport,
        "analyzeduration": str(cfg.rtsp_analyzeduration_us),
        "probesize": str(cfg.rtsp_probesize_bytes),
        # FFmpeg >= 5 (PyAV 18 bundles FFmpeg 8; Debian bookworm has 5.1) names the RTSP socket
        # I/O timeout `timeout`, in microseconds; the old `stimeout` is gone.
        "timeout": str(max(1, int(io_timeout * 1_000_000))),
    }


def _translate(exc: av.error.FFmpegError, secrets: tuple[str | None, ...]) -> ProbeError:
    """Map an FFmpeg error onto our hierarchy, with a message free of credentials."""
    what = scrub(exc.strerror or type(exc).__name__, *secrets)
    if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        return ProbeAuthError(f"camera refused the credentials ({what})")
    # ExitError is PyAV's interrupt callback firing on its (open, read) timeout.
    if isinstance(exc, TimeoutError | av.error.ExitError):
        return ProbeTimeout(f"stream timed out ({what})")
    if exc.errno in _UNREACHABLE:
        return ProbeFailure(FaultCode.OFFLINE, f"RTSP port unreachable ({what})")
    return ProbeProtocolError(f"stream failed ({what})")


def _grab(
    url: str,
    cfg: ProbeConfig,
    deadline_at: float,
    control: _Control,
    secrets: tuple[str | None, ...],
) -> _Grab:
    """Blocking: open the stream, skip to the first keyframe, decode it (runs in a thread)."""
    started = time.monotonic()
    budget = max(0.05, deadline_at - started)
    try:
        # (open, read): PyAV's interrupt callback aborts each blocking FFmpeg call after these.
        container = av.open(
            url, container_options=_ffmpeg_options(cfg, budget), timeout=(budget, budget)
        )
    except av.error.FFmpegError as exc:
        raise _translate(exc, secrets) from None  # `exc` names the URL: do not chain it
    with container:
        opened = time.monotonic()
        control.stage = "while waiting for a decodable keyframe"
        if not container.streams.video:
            raise ProbeProtocolError("stream has no video track")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        ctx.skip_frame = "NONKEY"
        # One decoder thread: frame threading would hold the keyframe back until more packets come.
        ctx.thread_count = 1
        rate = stream.average_rate or stream.guessed_rate
        try:
            for packet in container.demux(stream):
                if control.stop.is_set() or time.monotonic() >= deadline_at:
                    raise ProbeTimeout("no keyframe decoded before the deadline")
                for frame in packet.decode():
                    return _Grab(
                        codec=ctx.name,
                        width=frame.width,
                        height=frame.height,
                        fps=float(rate) if rate else None,
                        frame=frame.to_ndarray(format="bgr24"),
                        open_seconds=opened - started,
                        first_frame_at=time.monotonic(),
                    )
        except av.error.FFmpegError as exc:
            raise _translate(exc, secrets) from None
    raise ProbeProtocolError("stream ended without a decodable keyframe")


def _run(
    fut: concurrent.futures.Future[_Grab],
    args: tuple[Any, ...],
) -> None:
    """Thread body: run `_grab`, hand its outcome to the waiting probe, free the slot."""
    try:
        if not fut.set_running_or_notify_cancel():
            return
        try:
            fut.set_result(_grab(*args))
        except BaseException as exc:
            # Not handled here: handed over like ThreadPoolExecutor does; the probe re-raises it.
            fut.set_exception(exc)
    finally:
        _release_slot()


def _mismatches(target: ProbeTarget, grab: _Grab) -> list[str]:
    """What differs between the stream and the registry's expectation."""
    found = []
    if target.expected_width and target.expected_width != grab.width:
        found.append(f"width {grab.width} (expected {target.expected_width})")
    if target.expected_height and target.expected_height != grab.height:
        found.append(f"height {grab.height} (expected {target.expected_height})")
    if target.expected_codec and normalise_codec(target.expected_codec) != normalise_codec(
        grab.codec
    ):
        found.append(f"codec {grab.codec} (expected {target.expected_codec})")
    return found


async def probe(target: ProbeTarget, cfg: ProbeConfig, *, deadline: Deadline) -> ProbeResult:
    """Decode one keyframe from the camera's RTSP stream within the deadline."""
    started = time.monotonic()
    result = await _probe(target, cfg, deadline, started)
    result.duration_seconds = time.monotonic() - started
    if not result.ok:
        logger.info("%s: rtsp %s: %s", target.code, ",".join(result.faults), result.reason)
    return result


async def _probe(
    target: ProbeTarget, cfg: ProbeConfig, deadline: Deadline, started: float
) -> ProbeResult:
    if not target.rtsp_url:
        return ProbeResult.failure(
            KIND, FaultCode.STREAM_ERROR, "no RTSP URL known for this camera (registry or ONVIF)"
        )
    # Checked before each attempt, so no decode ever starts after the deadline.
    while deadline.expired or not _take_slot(cfg.rtsp_max_decodes):
        if deadline.expired:
            return ProbeResult.failure(
                KIND,
                FaultCode.STREAM_ERROR,
                f"all {cfg.rtsp_max_decodes} RTSP decode slots stayed busy until the deadline",
                busy=True,
            )
        await asyncio.sleep(0.02)

    url = _with_credentials(target.rtsp_url, target.username, target.password)
    secrets = (url, target.rtsp_url, target.password, urlsplit(target.rtsp_url).password)
    control = _Control()
    fut: concurrent.futures.Future[_Grab] = concurrent.futures.Future()
    thread = threading.Thread(
        target=_run,
        args=(fut, (url, cfg, deadline.at, control, secrets)),
        name=f"rtsp-probe-{target.code}",
        daemon=True,
    )
    try:
        thread.start()
    except RuntimeError:  # cannot start a new thread: the slot was never used
        _release_slot()
        raise
    try:
        grab = await asyncio.wait_for(asyncio.wrap_future(fut), deadline.remaining())
    except TimeoutError:
        # Abandon the thread: it stops between packets, or on FFmpeg's own timeouts.
        control.stop.set()
        return ProbeResult.failure(
            KIND,
            FaultCode.STREAM_ERROR,
            f"no decodable frame before the deadline; stalled {control.stage}",
        )
    except asyncio.CancelledError:
        control.stop.set()
        raise
    except ProbeAuthError as exc:
        return ProbeResult.failure(KIND, FaultCode.AUTH_FAILED, str(exc))
    except ProbeFailure as exc:
        return ProbeResult.failure(KIND, exc.fault, exc.reason)
    except ProbeError as exc:  # timeouts, protocol errors, no keyframe
        return ProbeResult.failure(KIND, FaultCode.STREAM_ERROR, str(exc))
    return _success(target, grab, started)


def _success(target: ProbeTarget, grab: _Grab, started: float) -> ProbeResult:
    """A result carrying the frame; `resolution_mismatch` when it differs from the registry."""
    details: dict[str, Any] = {
        "codec": grab.codec,
        "width": grab.width,
        "height": grab.height,
        "fps": grab.fps,
    }
    metrics = {
        "ttff_seconds": grab.first_frame_at - started,
        "rtsp_open_seconds": grab.open_seconds,
    }
    found = _mismatches(target, grab)
    result = ProbeResult(
        kind=KIND, ok=not found, metrics=metrics, details=details, frame=grab.frame
    )
    if found:
        result.faults = [FaultCode.RESOLUTION_MISMATCH]
        result.reason = "stream differs from the registry: " + ", ".join(found)
    return result
