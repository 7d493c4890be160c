"""A hostile snapshot endpoint cannot get the password in clear, redirect us, or bomb memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest

from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeTarget
from probes.snapshot import image_size, probe
from tests.peers.hostile_onvif import CountingListener
from tests.probes.hostile_addresses import ALLOWED, camera_address, forbidden_address

CFG = ProbeConfig(allowed_networks=ALLOWED)
PASSWORD = "clear-Text-Pw-31"
JPEG = cv2.imencode(".jpg", np.full((48, 64, 3), 128, np.uint8))[1].tobytes()


def _bomb() -> bytes:
    """The small JPEG with its frame header claiming 20000 x 20000 pixels."""
    body = bytearray(JPEG)
    at = 2
    while not (0xC0 <= body[at + 1] <= 0xC3):
        at += 2 + int.from_bytes(body[at + 2 : at + 4], "big")
    body[at + 5 : at + 9] = (20000).to_bytes(2, "big") * 2
    return bytes(body)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        server = self.server
        server.authorizations.append(self.headers.get("Authorization"))
        if self.path == "/basic.jpg" and not self.headers.get("Authorization"):
            self._send(401, b"", {"WWW-Authenticate": 'Basic realm="cam"'})
        elif self.path == "/redirect.jpg":
            self._send(302, b"", {"Location": server.elsewhere + "/internal.jpg"})
        elif self.path == "/bomb.jpg":
            self._send(200, _bomb(), {"Content-Type": "image/jpeg"})
        else:
            self._send(200, JPEG, {"Content-Type": "image/jpeg"})


@pytest.fixture
def forbidden() -> Iterator[CountingListener]:
    with CountingListener(forbidden_address()) as listener:
        yield listener


@pytest.fixture
def camera(forbidden: CountingListener) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer((camera_address(), 0), _Handler)
    server.authorizations = []
    server.elsewhere = forbidden.url
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def target(url: str, host: str) -> ProbeTarget:
    return ProbeTarget(code="SNAP-H", host=host, snapshot_url=url, username="op", password=PASSWORD)


def url_of(server: ThreadingHTTPServer, path: str) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{path}"


async def test_basic_challenge_over_http_is_not_answered_by_default(
    camera: ThreadingHTTPServer,
) -> None:
    result = await probe(
        target(url_of(camera, "/basic.jpg"), camera.server_address[0]),
        CFG,
        deadline=Deadline(3.0),
    )

    assert result.faults == [FaultCode.AUTH_FAILED]
    assert "Basic" in result.reason and "clear" in result.reason
    assert camera.authorizations == [None]  # one unauthenticated GET, no password sent


async def test_basic_over_http_when_the_settings_allow_it(camera: ThreadingHTTPServer) -> None:
    cfg = ProbeConfig(allowed_networks=ALLOWED, snapshot_basic_auth=True)
    result = await probe(
        target(url_of(camera, "/basic.jpg"), camera.server_address[0]),
        cfg,
        deadline=Deadline(3.0),
    )

    assert result.ok, result.reason
    assert result.details["auth"] == "basic"


async def test_snapshot_url_outside_the_networks_is_not_fetched(
    forbidden: CountingListener,
) -> None:
    url = forbidden.url + "/internal.jpg"
    result = await probe(target(url, camera_address()), CFG, deadline=Deadline(3.0))

    assert forbidden.connections == 0
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "outside the allowed probe networks" in result.reason


async def test_snapshot_host_name_is_checked_when_probed() -> None:
    # "localhost" resolves to 127.0.0.1 now, outside 127.21.0.0/16 (a rebound name).
    with CountingListener("127.0.0.1") as local:
        url = f"http://localhost:{local.port}/snap.jpg"
        result = await probe(target(url, "localhost"), CFG, deadline=Deadline(3.0))
    assert local.connections == 0
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "127.0.0.1" in result.reason


async def test_redirect_is_not_followed(
    camera: ThreadingHTTPServer, forbidden: CountingListener
) -> None:
    result = await probe(
        target(url_of(camera, "/redirect.jpg"), camera.server_address[0]),
        CFG,
        deadline=Deadline(3.0),
    )

    assert forbidden.connections == 0
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "302" in result.reason


async def test_picture_promising_400_megapixels_is_refused_before_decoding(
    camera: ThreadingHTTPServer,
) -> None:
    assert image_size(_bomb()) == (20000, 20000)
    result = await probe(
        target(url_of(camera, "/bomb.jpg"), camera.server_address[0]),
        CFG,
        deadline=Deadline(3.0),
    )

    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "pixel cap" in result.reason
