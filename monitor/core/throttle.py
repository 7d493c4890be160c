"""Login throttling: failed attempts per username and per address in a sliding window.

Kept in the memory of the serving process (one per `camwatch serve`): a restart forgets the
counts, which is acceptable for a lock of minutes; every lock-out is in the audit log.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Window:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    """Counts failures per key ('user:NAME' or 'addr:IP'); a key past its limit is locked."""

    def __init__(
        self,
        *,
        per_user: int,
        per_address: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.window = window_seconds
        self._clock = clock
        self._keys: dict[str, _Window] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(username: str, address: str) -> tuple[str, str]:
        """The throttle keys of an attempt."""
        return f"user:{username.strip().lower()[:80]}", f"addr:{address}"

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until this user or address may try again (0: now)."""
        now = self._clock()
        with self._lock:
            waits = [
                self._keys[key].locked_until - now
                for key in self.keys(username, address)
                if key in self._keys
            ]
        return max([0, *(int(w) + 1 for w in waits if w > 0)])

    def failed(self, username: str, address: str) -> list[str]:
        """Count a failure; the keys that became locked by it (for the audit log)."""
        now = self._clock()
        newly_locked = []
        with self._lock:
            self._forget_old(now)
            for key, limit in zip(
                self.keys(username, address), (self.per_user, self.per_address), strict=True
            ):
                window = self._keys.setdefault(key, _Window())
                window.failures.append(now)
                while window.failures and window.failures[0] <= now - self.window:
                    window.failures.popleft()
                if len(window.failures) >= limit and window.locked_until <= now:
                    window.locked_until = now + self.window
                    window.failures.clear()
                    newly_locked.append(key)
        return newly_locked

    def succeeded(self, username: str) -> None:
        """A successful login clears the user's failures (not the address's)."""
        with self._lock:
            self._keys.pop(self.keys(username, "")[0], None)

    def _forget_old(self, now: float) -> None:
        if len(self._keys) < 10_000:
            return
        stale = [
            key
            for key, w in self._keys.items()
            if w.locked_until <= now and (not w.failures or w.failures[-1] <= now - self.window)
        ]
        for key in stale:
            del self._keys[key]
