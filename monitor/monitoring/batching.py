"""Writing probe results in batches: one transaction for many results, in arrival order.

At 10,000 cameras results arrive at ~190 a second. One transaction per result spends most of
the monitor's time opening sessions, re-reading the camera and committing; a batch reads every
camera, status and schedule row it needs in three queries and commits once. A caller awaits its
own result's fold, so nothing returns before its result is committed: a crash loses only results
that no caller was told were stored (their jobs stay leased and run again once the lease ends),
and a committed batch has also moved its jobs' schedules on, so nothing is stored twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Folded = TypeVar("Folded")

MAX_BATCH = 256
# How long the writer waits for more results after the first one of a batch arrives: at ~190
# results a second, half a second fills batches of about a hundred, so the fixed cost of a
# transaction (five reads and a commit) is shared that many ways.
LINGER_SECONDS = 0.5


class BatchWriter(Generic[Item, Folded]):
    """Hands queued items to `write(items)` (run in a thread), many per call, one call at a time.

    If a batch fails, its items are written one per call so that one bad result only fails
    its own caller; an exception of a `fail_whole` type (the store itself is unusable) fails
    every caller of the batch at once.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Item]], list[Folded]],
        *,
        max_batch: int = MAX_BATCH,
        linger: float = LINGER_SECONDS,
        fail_whole: tuple[type[Exception], ...] = (),
    ) -> None:
        self._write = write
        self._fail_whole = fail_whole
        self.max_batch = max_batch
        self.linger = linger
        self._queue: list[tuple[Item, asyncio.Future[Folded]]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._unresolved: set[asyncio.Future[Folded]] = set()
        self.batches = 0
        self.items = 0

    @property
    def pending(self) -> int:
        """Items queued and not yet handed to a write."""
        return len(self._queue)

    async def submit(self, item: Item) -> Folded:
        """Queue one item; return what its write returned once the batch is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Folded] = loop.create_future()
        self._queue.append((item, future))
        self._unresolved.add(future)
        future.add_done_callback(self._unresolved.discard)
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._drain(), name="camwatch-batch-writer")
        assert self._wake is not None
        self._wake.set()
        return await future

    async def flush(self) -> None:
        """Wait until everything submitted so far is written (or has failed)."""
        if self._unresolved:
            await asyncio.gather(*list(self._unresolved), return_exceptions=True)

    async def _drain(self) -> None:
        assert self._wake is not None
        while True:
            if not self._queue:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=5.0)
                except TimeoutError:
                    if not self._queue:
                        return  # idle: the next submit starts a new drain
                continue
            if len(self._queue) < self.max_batch and self.linger > 0:
                await asyncio.sleep(self.linger)
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[tuple[Item, asyncio.Future[Folded]]]) -> None:
        items = [item for item, _ in batch]
        try:
            results = await asyncio.to_thread(self._write, items)
        except self._fail_whole as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        except Exception:  # retried one by one below, each failing its own caller
            logger.warning("a batch of %d results failed; writing them one by one", len(items))
            for item, future in batch:
                try:
                    (result,) = await asyncio.to_thread(self._write, [item])
                except Exception as exc:  # handed to the one caller it concerns
                    if not future.done():
                        future.set_exception(exc)
                else:
                    if not future.done():
                        future.set_result(result)
            return
        self.batches += 1
        self.items += len(items)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
