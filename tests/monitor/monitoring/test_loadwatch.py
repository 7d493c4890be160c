"""The monitor notices when its own event loop was blocked (its load, not a camera's fault)."""

from __future__ import annotations

import asyncio
import time

from monitor.monitoring.loadwatch import LoopWatch


async def test_a_blocked_loop_is_seen() -> None:
    watch = LoopWatch()
    watch.ensure_running()
    await asyncio.sleep(0.3)
    before_block = time.monotonic()
    time.sleep(1.2)  # something hogs the loop, as a burst of decoding would
    await asyncio.sleep(0.3)
    await watch.stop()
    assert watch.worst_since(before_block) >= 1.0
    # Nothing is remembered from after the watch stopped.
    assert watch.worst_since(time.monotonic()) == 0.0
