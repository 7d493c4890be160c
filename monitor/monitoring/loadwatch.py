"""How late the monitor's own event loop runs: camwatch's load, told apart from a camera's fault.

A probe's deadline counts from when its request went out, but if the loop itself is hundreds of
milliseconds late (too many results to fold, a burst of picture decoding) an answer that came in
time is read too late and the probe times out. Such a failure says nothing about the camera.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from monitor.core.instruments import EVENT_LOOP_LAG

INTERVAL_SECONDS = 0.1
# Late wake-ups kept (enough for the longest probe deadline at the worst lag rate).
KEEP = 4096
NOTABLE_SECONDS = 0.05


class LoopWatch:
    """Wakes up every INTERVAL_SECONDS and records how late it woke."""

    def __init__(self) -> None:
        self._late: deque[tuple[float, float]] = deque(maxlen=KEEP)  # (woke at, lag)
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        """Start watching the running loop (once per loop)."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._watch(), name="camwatch-loop-watch")

    async def _watch(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(INTERVAL_SECONDS)
            woke = time.monotonic()
            lag = max(0.0, woke - before - INTERVAL_SECONDS)
            EVENT_LOOP_LAG.observe(lag)
            if lag >= NOTABLE_SECONDS:
                self._late.append((woke, lag))

    def worst_since(self, since: float) -> float:
        """The longest the loop was late in any wake-up after `since` (monotonic seconds)."""
        worst = 0.0
        for woke, lag in reversed(self._late):
            if woke < since:
                break
            worst = max(worst, lag)
        return worst

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
