"""A TCP proxy on loopback the test can cut and restore: the broker "goes away" for camwatch
while the real RabbitMQ behind it (shared with other tests) keeps running::

    with TcpProxy("127.0.0.1", 5672) as proxy:
        url = f"amqp://guest:guest@{proxy.host}:{proxy.port}//"
        proxy.cut()      # every connection closed, new ones refused
        proxy.restore()  # listening again on the same address and port
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class TcpProxy:
    """Forwards connections to `target`; cut() drops them all and refuses new ones."""

    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self.connections = 0
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._running = False
        self._thread: threading.Thread | None = None

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._running = True
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._running:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self.connections += 1
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(a, selectors.EVENT_READ, b)
            selector.register(b, selectors.EVENT_READ, a)
            try:
                while True:
                    for key, _ in selector.select():
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        key.data.sendall(data)
            except OSError:
                return
            finally:
                for sock in (a, b):
                    sock.close()

    def cut(self) -> None:
        """Close the listener and every connection through it (the broker is away)."""
        self._running = False
        if self._thread is not None:
            self._thread.join(2)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def restore(self) -> None:
        """Listen again on the same port."""
        self._listen()

    def __enter__(self) -> TcpProxy:
        self._listen()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cut()
