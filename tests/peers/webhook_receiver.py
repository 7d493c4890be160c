"""A real HTTP webhook receiver on loopback that records requests and fails on demand. Usage::

with WebhookReceiver() as hook:
    hook.fail_next(2, status=503)   # the next two requests get 503
    hook.stall_next(1, seconds=3)   # the next one answers only after 3 s
hook.huge_answer_next(1)        # the next one gets 200 and a 50 MB body, slowly
    ... hook.url, hook.requests, hook.wait_for(1)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tests.peers.ipycam_peer import unique_loopback_host


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it; `answered` is the status it got back."""

    path: str
    headers: dict[str, str]
    body: bytes
    answered: int
    at: float


class WebhookReceiver:
    """A threaded HTTP server; every POST is recorded, answered 204 unless told to fail."""

    def __init__(self, host: str | None = None, path: str = "/hooks/camwatch") -> None:
        self.host = host or unique_loopback_host()
        self.path = path
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self._stalls: list[float] = []
        self._huge = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, stall = receiver._next_behaviour()
                huge = receiver._take_huge()
                if huge:
                    status = 200  # a 204 has no body to wait for
                if stall:
                    time.sleep(stall)
                receiver._record(
                    Received(self.path, dict(self.headers.items()), body, status, time.time())
                )
                self.send_response(status)
                if huge:
                    # announce 50 MB, send a little, then dawdle: a reader would wait for it all
                    self.send_header("Content-Length", str(50 * 1024 * 1024))
                    self.end_headers()
                    self.wfile.write(b"x" * 65536)
                    self.wfile.flush()
                    time.sleep(3)
                    return
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The URL to register as a crew's webhook."""
        return f"http://{self.host}:{self.port}{self.path}"

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next `count` requests with `status`."""
        with self._lock:
            self._failures.extend([status] * count)

    def stall_next(self, count: int, seconds: float) -> None:
        """Hold the next `count` requests for `seconds` before answering."""
        with self._lock:
            self._stalls.extend([seconds] * count)

    def huge_answer_next(self, count: int) -> None:
        """Answer the next `count` requests with a 50 MB body that trickles out."""
        with self._lock:
            self._huge += count

    def _take_huge(self) -> bool:
        with self._lock:
            if self._huge:
                self._huge -= 1
                return True
        return False

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The recorded requests once there are at least `count` (AssertionError on timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} webhook requests, got {len(self.requests)}")

    def _next_behaviour(self) -> tuple[int, float]:
        with self._lock:
            status = self._failures.pop(0) if self._failures else 204
            stall = self._stalls.pop(0) if self._stalls else 0.0
        return status, stall

    def _record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
