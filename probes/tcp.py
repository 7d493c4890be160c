"""TCP reachability probe: connect to the camera's ONVIF and RTSP ports and time each handshake."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import os
import socket
import time
from typing import Any

from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeResult, ProbeTarget

KIND = "tcp"

logger = logging.getLogger(__name__)

# What a camera (or the network in front of it) can do to a connect attempt: refuse it, reset it,
# be unroutable, or fail name resolution. Timeouts are handled by the deadline, not listed here.
EXPECTED_ERRORS: tuple[type[OSError], ...] = (OSError, socket.gaierror)


class _Attempt:
    """One non-blocking connect in flight; resolved by the event loop's writer callback."""

    __slots__ = ("error", "fut", "latency", "port", "sock", "started")

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.fut: asyncio.Future[None] | None = None
        self.started = 0.0
        self.latency: float | None = None
        self.error: str | None = None


async def _resolve(host: str, deadline: Deadline) -> tuple[socket.AddressFamily, str]:
    """Return (family, address) for `host`; literal IPs skip the resolver entirely."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(deadline.remaining()):
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        family, _, _, _, sockaddr = infos[0]
        return family, str(sockaddr[0])
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return family, str(ip)


def _start(
    loop: asyncio.AbstractEventLoop, family: socket.AddressFamily, addr: str, attempt: _Attempt
) -> None:
    """Begin a non-blocking connect; the future resolves when the handshake ends either way."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    attempt.sock = sock
    attempt.started = time.perf_counter()
    err = sock.connect_ex((addr, attempt.port))
    if err == 0:
        attempt.latency = time.perf_counter() - attempt.started
        return
    if err not in (errno.EINPROGRESS, errno.EAGAIN):
        attempt.error = os.strerror(err)
        return
    fut = loop.create_future()
    attempt.fut = fut
    fd = sock.fileno()

    def _on_writable() -> None:
        loop.remove_writer(fd)
        soerr = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if soerr == 0:
            attempt.latency = time.perf_counter() - attempt.started
        else:
            attempt.error = os.strerror(soerr)
        if not fut.done():
            fut.set_result(None)

    loop.add_writer(fd, _on_writable)


def _finish(loop: asyncio.AbstractEventLoop, attempt: _Attempt) -> None:
    """Drop the writer callback and close the socket; a connect still pending is "timed out"."""
    sock = attempt.sock
    if sock is None:
        return
    if attempt.fut is not None and attempt.latency is None and attempt.error is None:
        # The deadline cancelled the wait before the handshake ended either way.
        loop.remove_writer(sock.fileno())
        attempt.error = "timed out"
    sock.close()


def _ports(target: ProbeTarget) -> dict[str, int]:
    """Ports to try, by role; a camera serving ONVIF and RTSP on one port is tried once."""
    ports = {"onvif": target.onvif_port, "rtsp": target.rtsp_port}
    if ports["onvif"] == ports["rtsp"]:
        del ports["rtsp"]
    return ports


async def probe(target: ProbeTarget, cfg: ProbeConfig, *, deadline: Deadline) -> ProbeResult:
    """Connect to the camera's ONVIF and RTSP ports in parallel; `offline` when none answers."""
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    roles = _ports(target)
    attempts = {role: _Attempt(port) for role, port in roles.items()}
    try:
        family, addr = await _resolve(target.host, deadline)
    except (TimeoutError, OSError) as exc:  # OSError covers EXPECTED_ERRORS (gaierror)
        result = ProbeResult.failure(
            KIND, FaultCode.OFFLINE, f"cannot resolve host: {type(exc).__name__}"
        )
        result.duration_seconds = time.perf_counter() - started
        return result
    try:
        for attempt in attempts.values():
            try:
                _start(loop, family, addr, attempt)
            except EXPECTED_ERRORS as exc:
                attempt.error = exc.strerror or type(exc).__name__
        pending = [a.fut for a in attempts.values() if a.fut is not None]
        if pending:
            try:
                async with asyncio.timeout(deadline.remaining()):
                    for fut in pending:
                        await fut
            except TimeoutError:
                pass  # the attempts still pending are marked "timed out" below
    finally:
        for attempt in attempts.values():
            _finish(loop, attempt)
    return _result(target, attempts, time.perf_counter() - started)


def _result(target: ProbeTarget, attempts: dict[str, _Attempt], duration: float) -> ProbeResult:
    """Turn the finished attempts into a result: ok when at least one port answered."""
    ports: dict[str, Any] = {}
    metrics: dict[str, float] = {}
    answered: list[float] = []
    for role, attempt in attempts.items():
        entry: dict[str, Any] = {"port": attempt.port, "open": attempt.latency is not None}
        if attempt.latency is not None:
            entry["latency_seconds"] = attempt.latency
            metrics[f"tcp_latency_seconds_{role}"] = attempt.latency
            answered.append(attempt.latency)
        else:
            entry["error"] = attempt.error or "no answer"
        ports[role] = entry
    if not answered:
        summary = ", ".join(f"{p['port']}: {p['error']}" for p in ports.values())
        logger.info("%s: no TCP answer (%s)", target.code, summary)
        result = ProbeResult.failure(
            KIND, FaultCode.OFFLINE, f"no TCP answer on any port ({summary})", ports=ports
        )
        result.duration_seconds = duration
        return result
    metrics["tcp_latency_seconds"] = min(answered)
    return ProbeResult(
        kind=KIND, ok=True, duration_seconds=duration, metrics=metrics, details={"ports": ports}
    )
