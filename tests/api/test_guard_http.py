"""Finding 6 on a real socket: an unauthenticated 200 MB upload is answered before it is sent."""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from api.app import create_app
from monitor.core.db import Database
from monitor.core.settings import Settings
from tests.api.conftest import auth
from tests.registry_data import Seed

BOUNDARY = "camwatch-upload-boundary"
MB = 1024 * 1024


@pytest.fixture
def served(database: Database, settings: Settings, seed: Seed) -> Iterator[tuple[str, int]]:
    """The app served by uvicorn on a loopback address of this worker's own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((f"127.95.{int(worker) % 250 + 1}.{os.getpid() % 250 + 1}", 0))
    sock.listen(16)
    app = create_app(settings, database)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield sock.getsockname()
    server.should_exit = True
    thread.join(10)
    sock.close()


def _upload(address: tuple[str, int], headers: dict[str, str], body_mb: int) -> tuple[str, int]:
    """Start a multipart upload of `body_mb` MB; the status line, and MB sent before it came."""
    head = [
        "POST /api/v1/cameras/import HTTP/1.1",
        f"Host: {address[0]}:{address[1]}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        chunked = headers.get("Transfer-Encoding") == "chunked"
        sent, pending, answer = 0, b"", b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not pending and sent < body_mb:
                data = (part if sent == 0 else b"") + b"x" * MB
                pending = f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data
                sent += 1
            readable, writable, _ = select.select([conn], [conn] if pending else [], [], 10)
            if readable:
                more = conn.recv(4096)
                answer += more
                if not more or b"\r\n" in answer:
                    break
            elif writable:
                try:
                    pending = pending[conn.send(pending) :]
                except (BrokenPipeError, ConnectionResetError):
                    pending = b""
            elif not pending:
                break
    return answer.split(b"\r\n", 1)[0].decode(), sent


def test_unauthenticated_chunked_upload_is_refused_before_its_body(
    served: tuple[str, int],
) -> None:
    status, sent_mb = _upload(served, {"Transfer-Encoding": "chunked"}, body_mb=200)
    assert status == "HTTP/1.1 401 Unauthorized"
    assert sent_mb < 50  # answered long before the 200 MB were sent; nothing was spooled


def test_declared_oversized_upload_is_refused_before_its_body(
    served: tuple[str, int], seed: Seed
) -> None:
    headers = {"Content-Length": str(200 * MB), **auth(seed, "technician")}
    status, sent_mb = _upload(served, headers, body_mb=200)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert sent_mb < 50


def test_chunked_upload_past_the_cap_is_cut_off(served: tuple[str, int], seed: Seed) -> None:
    headers = {"Transfer-Encoding": "chunked", **auth(seed, "technician")}
    status, sent_mb = _upload(served, headers, body_mb=200)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert sent_mb < 120  # the cap is 50 MB; socket buffers hold a few more
