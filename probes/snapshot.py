"""Snapshot probe: fetch the camera's JPEG over HTTP(S) with digest or basic auth and decode it."""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import ssl
import time
from collections.abc import Generator
from typing import Any
from urllib.parse import urlsplit

import cv2
import httpx
import numpy as np

from probes.errors import ProbeFailure, scrub
from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeResult, ProbeTarget

KIND = "snapshot"

logger = logging.getLogger(__name__)

_UNREACHABLE = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})

# What a camera's web server can do to us: refuse, reset, time out, speak broken HTTP, present a
# bad certificate (all httpx.HTTPError), or hand us a URL httpx cannot use (InvalidURL).
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (httpx.HTTPError, httpx.InvalidURL)


class CameraAuth(httpx.Auth):
    """Answer the camera's challenge: digest when it asks for digest, basic otherwise."""

    def __init__(self, username: str, password: str) -> None:
        self._digest = httpx.DigestAuth(username, password)
        self._basic = httpx.BasicAuth(username, password)
        self.scheme = "none"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send unauthenticated first (cameras differ), then answer a 401 with its own scheme."""
        response = yield request
        if response.status_code != 401:
            return
        schemes = {
            h.split(None, 1)[0].lower() for h in response.headers.get_list("www-authenticate") if h
        }
        if "digest" in schemes:
            self.scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # DigestAuth's own first, unauthenticated send: we already have its 401
            authed = flow.send(response)
        else:
            # No digest challenge (or none at all): basic, as most camera web servers take it.
            self.scheme = "basic"
            authed = next(self._basic.auth_flow(request))
        yield authed


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one costs ~24 ms CPU, every client did."""
    return httpx.create_ssl_context()


def _unreachable(exc: BaseException) -> bool:
    """True when an httpx error comes from a refused or unroutable connect."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _UNREACHABLE:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _secrets(target: ProbeTarget) -> tuple[str, ...]:
    url = target.snapshot_url or ""
    return tuple(s for s in (target.password, urlsplit(url).password, url) if s)


async def _fetch(
    client: httpx.AsyncClient, url: str, auth: httpx.Auth | None, limit: int
) -> tuple[bytes, str]:
    """GET the snapshot, reading at most `limit` bytes; returns (body, content type)."""
    async with client.stream("GET", url, auth=auth) as response:
        if response.status_code in (401, 403):
            raise ProbeFailure(
                FaultCode.AUTH_FAILED,
                f"camera refused the credentials (HTTP {response.status_code})",
            )
        if response.status_code != 200:
            raise ProbeFailure(
                FaultCode.STREAM_ERROR, f"snapshot answered HTTP {response.status_code}"
            )
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ProbeFailure(
                FaultCode.STREAM_ERROR, f"snapshot of {declared} bytes exceeds the {limit} byte cap"
            )
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) > limit:
                raise ProbeFailure(FaultCode.STREAM_ERROR, f"snapshot exceeds the {limit} byte cap")
        return bytes(body), response.headers.get("content-type", "")


def _decode(body: bytes) -> np.ndarray:
    """Decode a complete JPEG (or other image) into a BGR array; ProbeFailure when it is not one."""
    if body[:2] == b"\xff\xd8" and b"\xff\xd9" not in body[-64:]:
        # libjpeg "decodes" a truncated JPEG with a grey bottom; a cut-off picture is a fault.
        raise ProbeFailure(FaultCode.STREAM_ERROR, f"JPEG truncated after {len(body)} bytes")
    frame = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
    if frame is None or frame.size == 0:
        raise ProbeFailure(FaultCode.STREAM_ERROR, f"snapshot is not an image ({len(body)} bytes)")
    return frame


async def probe(target: ProbeTarget, cfg: ProbeConfig, *, deadline: Deadline) -> ProbeResult:
    """Fetch and decode one snapshot within the deadline."""
    started = time.monotonic()
    result = await _probe(target, cfg, deadline)
    result.duration_seconds = time.monotonic() - started
    if not result.ok:
        logger.info("%s: snapshot %s: %s", target.code, ",".join(result.faults), result.reason)
    return result


async def _probe(target: ProbeTarget, cfg: ProbeConfig, deadline: Deadline) -> ProbeResult:
    if not target.snapshot_url:
        return ProbeResult.failure(KIND, FaultCode.STREAM_ERROR, "no snapshot URL known")
    secrets = _secrets(target)
    auth = CameraAuth(target.username, target.password or "") if target.username else None
    remaining = deadline.remaining()
    started = time.monotonic()
    try:
        # httpx's timeouts bound each read, not the whole body: the deadline bounds the total.
        async with asyncio.timeout(remaining):
            # Connect gets less than the whole budget, so a silent host is told apart (offline)
            # from a server that connects and then stalls (stream_error).
            timeout = httpx.Timeout(remaining, connect=remaining * 0.8)
            async with httpx.AsyncClient(
                timeout=timeout, verify=_ssl_context(), follow_redirects=False, trust_env=False
            ) as client:
                body, content_type = await _fetch(
                    client, target.snapshot_url, auth, cfg.snapshot_max_bytes
                )
            fetched = time.monotonic()
            frame = await asyncio.to_thread(_decode, body)
    except ProbeFailure as exc:
        return ProbeResult.failure(KIND, exc.fault, scrub(exc.reason, *secrets))
    except TimeoutError:
        return ProbeResult.failure(
            KIND, FaultCode.STREAM_ERROR, f"snapshot not complete within {remaining:.1f} s"
        )
    except EXPECTED_ERRORS as exc:
        what = scrub(str(exc) or type(exc).__name__, *secrets)
        if _unreachable(exc) or isinstance(exc, httpx.ConnectTimeout):
            return ProbeResult.failure(KIND, FaultCode.OFFLINE, f"snapshot port: {what}")
        return ProbeResult.failure(KIND, FaultCode.STREAM_ERROR, f"snapshot failed: {what}")
    details: dict[str, Any] = {
        "width": int(frame.shape[1]),
        "height": int(frame.shape[0]),
        "bytes": len(body),
        "content_type": content_type,
        "auth": auth.scheme if auth else "none",
    }
    metrics = {
        "snapshot_seconds": fetched - started,
        "snapshot_bytes": float(len(body)),
    }
    return ProbeResult(kind=KIND, ok=True, metrics=metrics, details=details, frame=frame)
