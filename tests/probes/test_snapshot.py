"""The snapshot probe against a real HTTP server (digest and basic auth), ipycam, hostile peers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest
from skimage import data as skdata

from probes.faults import FaultCode
from probes.result import Deadline, ProbeConfig, ProbeTarget
from probes.snapshot import probe
from tests.peers import hostile_stream as hostile
from tests.peers import ipycam_peer
from tests.peers.ipycam_peer import IpycamPeer

ipycam_shared = ipycam_peer.ipycam_shared

CFG = ProbeConfig()
USER, PASSWORD, REALM = "operator", "snap-Secret-91", "camwatch-snapshot"
MARGIN = 1.0


def _photo() -> np.ndarray:
    return cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR)


PHOTO = _photo()
JPEG = cv2.imencode(".jpg", PHOTO, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class _CameraHandler(BaseHTTPRequestHandler):
    """A camera's snapshot endpoint: /digest.jpg, /basic.jpg, /open.jpg, /page.html."""

    nonce = secrets.token_hex(8)

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _digest_ok(self) -> bool:
        value = self.headers.get("Authorization", "")
        if not value.startswith("Digest "):
            return False
        p = {}
        for item in value[7:].split(","):
            k, _, v = item.strip().partition("=")
            p[k] = v.strip('"')
        ha1 = _md5(f"{USER}:{REALM}:{self.server.password}")
        ha2 = _md5(f"GET:{p.get('uri')}")
        expect = _md5(f"{ha1}:{p.get('nonce')}:{p.get('nc')}:{p.get('cnonce')}:auth:{ha2}")
        return (
            p.get("username") == USER
            and p.get("nonce") == self.nonce
            and (p.get("response") == expect)
        )

    def _basic_ok(self) -> bool:
        token = base64.b64encode(f"{USER}:{self.server.password}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {token}"

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.requests += 1
        if self.path == "/digest.jpg" and not self._digest_ok():
            challenge = f'Digest realm="{REALM}", nonce="{self.nonce}", qop="auth"'
            self._send(401, b"", "text/plain", {"WWW-Authenticate": challenge})
        elif self.path == "/basic.jpg" and not self._basic_ok():
            self._send(401, b"", "text/plain", {"WWW-Authenticate": f'Basic realm="{REALM}"'})
        elif self.path == "/page.html":
            self._send(200, b"<html><body>login</body></html>", "text/html")
        elif self.path in ("/digest.jpg", "/basic.jpg", "/open.jpg"):
            self._send(200, JPEG, "image/jpeg")
        else:
            self._send(404, b"", "text/plain")


@pytest.fixture(scope="module")
def camera_http() -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server on its own loopback address serving a JPEG behind digest/basic auth."""
    server = ThreadingHTTPServer((hostile.loopback_address(), 0), _CameraHandler)
    server.password = PASSWORD
    server.requests = 0
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def target_for(server: ThreadingHTTPServer, path: str, **kw: object) -> ProbeTarget:
    """A camera target whose snapshot URL is `path` on `server`."""
    host, port = server.server_address[:2]
    fields: dict[str, object] = {
        "code": "SNAP-1",
        "host": host,
        "onvif_port": port,
        "snapshot_url": f"http://{host}:{port}{path}",
    }
    fields.update(kw)
    return ProbeTarget(**fields)


@pytest.mark.parametrize("scheme", ["digest", "basic"])
async def test_fetches_and_decodes_with_auth(camera_http: ThreadingHTTPServer, scheme: str) -> None:
    target = target_for(camera_http, f"/{scheme}.jpg", username=USER, password=PASSWORD)
    result = await probe(target, CFG, deadline=Deadline(3.0))
    assert result.ok, result.reason
    assert result.details["auth"] == scheme
    assert result.frame.shape == PHOTO.shape
    # The decoded picture is the photograph (JPEG-close), not some other image.
    assert np.abs(result.frame.astype(int) - PHOTO.astype(int)).mean() < 4
    assert result.details["bytes"] == len(JPEG)
    assert result.metrics["snapshot_seconds"] > 0


@pytest.mark.parametrize("scheme", ["digest", "basic"])
async def test_wrong_password_is_auth_failed(camera_http: ThreadingHTTPServer, scheme: str) -> None:
    wrong = "not-the-Pw-55"
    target = target_for(camera_http, f"/{scheme}.jpg", username=USER, password=wrong)
    result = await probe(target, CFG, deadline=Deadline(3.0))
    assert result.faults == [FaultCode.AUTH_FAILED]
    assert result.frame is None
    assert wrong not in json.dumps(result.to_dict()) + repr(result)


async def test_no_credentials_for_protected_snapshot_is_auth_failed(
    camera_http: ThreadingHTTPServer,
) -> None:
    result = await probe(target_for(camera_http, "/digest.jpg"), CFG, deadline=Deadline(3.0))
    assert result.faults == [FaultCode.AUTH_FAILED]


async def test_not_an_image_is_stream_error(camera_http: ThreadingHTTPServer) -> None:
    result = await probe(target_for(camera_http, "/page.html"), CFG, deadline=Deadline(3.0))
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "not an image" in result.reason


async def test_http_404_is_stream_error(camera_http: ThreadingHTTPServer) -> None:
    result = await probe(target_for(camera_http, "/nope.jpg"), CFG, deadline=Deadline(3.0))
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "404" in result.reason


async def test_bigger_than_cap_is_stream_error(camera_http: ThreadingHTTPServer) -> None:
    cfg = ProbeConfig(snapshot_max_bytes=len(JPEG) // 2)
    result = await probe(target_for(camera_http, "/open.jpg"), cfg, deadline=Deadline(3.0))
    assert result.faults == [FaultCode.STREAM_ERROR]
    assert "cap" in result.reason


async def test_refused_is_offline() -> None:
    host = hostile.loopback_address()
    url = f"http://{host}:{hostile.refused_port(host)}/snap.jpg"
    result = await probe(
        ProbeTarget(code="SNAP-2", host=host, snapshot_url=url), CFG, deadline=Deadline(2.0)
    )
    assert result.faults == [FaultCode.OFFLINE]
    assert result.duration_seconds < 1.0


async def test_real_camera_snapshot(ipycam_shared: IpycamPeer) -> None:
    cam = ipycam_shared
    target = ProbeTarget(
        code="CAM-1",
        host=cam.host,
        snapshot_url=cam.snapshot_url,
        username=cam.username,
        password=cam.password,
    )
    # ipycam answers 503 until its first frame is captured; the peer's readiness check does not
    # wait for that, so allow a just-started camera a moment (a 503 is correctly stream_error).
    end = time.monotonic() + 5.0
    while True:
        result = await probe(target, CFG, deadline=Deadline(5.0))
        if result.ok or "HTTP 503" not in result.reason or time.monotonic() > end:
            break
        assert result.faults == [FaultCode.STREAM_ERROR]
        await asyncio.sleep(0.2)
    assert result.ok, result.reason
    assert result.details["auth"] == "basic"
    assert result.frame.ndim == 3 and result.frame.shape[2] == 3
    assert result.frame.std() > 20  # the camera's textured scene


# -- hostile peers -----------------------------------------------------------------------------


HOSTILE = {
    "accepts-never-answers": (hostile.silent, ProbeConfig(), "not complete within"),
    "50MB-garbage": (hostile.garbage, ProbeConfig(), "snapshot failed"),
    "half-jpeg-then-stall": (hostile.http_half_jpeg(JPEG), ProbeConfig(), "not complete within"),
    "endless-body": (hostile.http_endless, ProbeConfig(), "byte cap"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_peer_is_stream_error_within_deadline(
    name: str, camera_http: ThreadingHTTPServer
) -> None:
    handler, cfg, why = HOSTILE[name]
    deadline_s = 1.0
    async with hostile.HostilePeer(handler) as peer:
        target = ProbeTarget(code="SNAP-H", host=peer.host, snapshot_url=peer.url("http", "/s"))
        t0 = time.monotonic()
        result = await probe(target, cfg, deadline=Deadline(deadline_s))
        elapsed = time.monotonic() - t0
    assert result.faults == [FaultCode.STREAM_ERROR], result.reason
    assert why in result.reason
    assert elapsed <= deadline_s + MARGIN
    # Still healthy: the next snapshot of a good camera works.
    good = target_for(camera_http, "/digest.jpg", username=USER, password=PASSWORD)
    assert (await probe(good, CFG, deadline=Deadline(3.0))).ok
