"""The monitoring service: a feed leasing due probes as capacity frees, a tick keeping order.

Probes are leased in a stream (every FEED_SECONDS, as many as free capacity allows) rather than
once per tick: a fleet of 10,000 cameras needs ~190 probes a second, which a 5 s tick handing out
two rounds of capacity cannot reach. The tick (leadership, storing kept results, schedule sync,
incidents, tickets, notifications, retention) keeps its own, slower pace; while the database or
the broker refuses work the feed pauses.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime, timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError

from monitor.core.db import Database
from monitor.core.instruments import DATABASE_ERRORS_TOTAL, SCHEDULER_LEADER
from monitor.core.models import utcnow
from monitor.core.settings import Settings
from monitor.monitoring import retention, schedule
from monitor.monitoring.leadership import Leadership
from monitor.monitoring.runner import POOL_KINDS, Outcome, Runner
from monitor.outages import incidents
from probes.result import ProbeTarget

logger = logging.getLogger(__name__)

SYNC_EVERY = timedelta(seconds=60)
FEED_SECONDS = 0.25
# Most jobs leased in one go (one transaction); a Celery feed sends at most this many per round.
LEASE_BATCH = 500
# Results waiting for the batch writer beyond which nothing more is leased (backpressure).
MAX_UNSTORED = 1024
CLEANUP_EVERY = timedelta(minutes=10)


class MonitorService:
    """Watches the whole fleet: one acting scheduler per database, probes run in this process."""

    def __init__(self, db: Database, settings: Settings, runner: Runner | None = None) -> None:
        self.db = db
        self.settings = settings
        self.runner = runner or Runner(db, settings)
        self.leadership = Leadership(db)
        self._inflight: set[asyncio.Task[Outcome | None]] = set()
        self._inflight_by_pool = dict.fromkeys(POOL_KINDS, 0)
        self._feed_task: asyncio.Task[None] | None = None
        # The feed runs only while this process leads and the store and broker take work.
        self._feeding = False
        self._last_sync: datetime | None = None
        self._last_cleanup: datetime | None = None
        # Set on becoming the leader: the leases found then belong to runners that run nothing
        # for this schedule any more (a crashed, stopped or cut-off scheduler).
        self._leases_to_reclaim = False
        self._scheduler: AsyncIOScheduler | None = None
        self.ticks = 0

    def start(self) -> None:
        """Start ticking in the running event loop (missed ticks are coalesced, not replayed)."""
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.settings.scheduler_tick_seconds,
            id="camwatch-tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(self.settings.scheduler_tick_seconds * 2) or 1,
            next_run_time=utcnow(),
        )
        self._scheduler.start()
        self._feed_task = asyncio.get_running_loop().create_task(self._feed(), name="camwatch-feed")
        logger.info("monitoring started (tick every %.1f s)", self.settings.scheduler_tick_seconds)

    async def stop(self) -> None:
        """Stop ticking; finish the probes under way, give back the rest; store; unlock."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._feed_task is not None:
            self._feed_task.cancel()
            await asyncio.gather(self._feed_task, return_exceptions=True)
            self._feed_task = None
        # Probes talking to a camera finish and are stored; those still waiting for room are
        # not started: bounded by one probe's deadline, not by the queue's length.
        self.runner.stop_starting()
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await self.runner.close()  # stores queued results, closes the reused ONVIF sessions
        try:
            given_back = await asyncio.to_thread(self.runner.give_back_not_started)
        except SQLAlchemyError:
            logger.warning("probes not started stay leased until their lease ends", exc_info=True)
        else:
            logger.info("stopping: %d probes not started, due again at once", given_back)
        await asyncio.to_thread(self.leadership.release)
        SCHEDULER_LEADER.set(0)

    async def tick(self) -> None:
        """One round: lead or wait; store kept results; sync the schedule; incidents, tickets."""
        self.ticks += 1
        was_leading = self.leadership.held
        leading = await asyncio.to_thread(self.leadership.try_acquire)
        SCHEDULER_LEADER.set(1 if leading else 0)
        if leading and not was_leading:
            # In-process runners only: in Celery mode a lease stands for a message in the broker
            # that a worker may still run.
            self._leases_to_reclaim = self.settings.runner_mode != "celery"
        if not leading:
            self._feeding = False
            if self.leadership.problem is not None:
                # Not another scheduler leading: the database (or its lock file) is unusable.
                self.runner.note_storage_problem(self.leadership.problem)
            return
        if not await self.runner.store_unsaved():
            # The database still refuses writes: probing pauses, kept results wait in memory.
            DATABASE_ERRORS_TOTAL.inc()
            self._feeding = False
            return
        try:
            await asyncio.to_thread(self._housekeeping)
        except SQLAlchemyError as exc:
            DATABASE_ERRORS_TOTAL.inc()
            self.runner.note_storage_problem(exc)
            self._feeding = False
            logger.debug("scheduler tick failed on the database", exc_info=True)
            return
        if self.runner.storage_problem != "broker unreachable":
            self.runner.note_storage_ok()  # the database took this tick's writes
        # (A broker that was away is tried again by the feed, which says when it is back.)
        self._feeding = True

    async def _feed(self) -> None:
        """Lease due probes whenever there is room for them, until cancelled."""
        while True:
            await asyncio.sleep(min(FEED_SECONDS, self.settings.scheduler_tick_seconds))
            if not self._feeding:
                continue
            try:
                await self.feed_once()
            except SQLAlchemyError as exc:
                DATABASE_ERRORS_TOTAL.inc()
                self.runner.note_storage_problem(exc)
                self._feeding = False  # the next tick finds out when the database is back
                logger.debug("leasing due probes failed on the database", exc_info=True)
            except Exception:  # the feed must outlive any one round's failure
                logger.exception("leasing due probes failed")

    async def feed_once(self) -> int:
        """Lease what free capacity allows and start it (or send it to Celery); how many."""
        if self.settings.runner_mode == "celery":
            return await self._feed_celery()
        if self.runner.writer.pending >= MAX_UNSTORED:
            return 0  # the database is slower than the probes: let it catch up first
        started = 0
        # Each pool leases for itself: slow ONVIF or picture probes must not fill the queue
        # and starve the cheap ones (keep at most two rounds of each pool's work queued).
        for pool, kinds in POOL_KINDS.items():
            free = self.runner.pool_sizes[pool] * 2 - self._inflight_by_pool[pool]
            if free <= 0:
                continue
            jobs = await asyncio.to_thread(self._lease, min(free, LEASE_BATCH), kinds)
            if not jobs:
                continue
            targets = await asyncio.to_thread(self.runner.load_targets, jobs)
            self.runner.note_storage_ok()
            for job in jobs:
                loaded = targets.get(job.camera_id)
                if loaded is None:
                    continue  # removed meanwhile, or cannot be probed: its lease runs out
                self._start(pool, job, loaded)
                started += 1
        return started

    async def _feed_celery(self) -> int:
        from monitor.monitoring.distributed import BrokerUnavailable, dispatch

        jobs = await asyncio.to_thread(self._lease, LEASE_BATCH, None)
        if not jobs:
            return 0
        try:
            await asyncio.to_thread(dispatch, self.db, self.settings, jobs)
        except BrokerUnavailable:
            self.runner.note_storage_problem("broker unreachable")
            self._feeding = False  # the next tick tries again
            return 0
        self.runner.note_storage_ok()
        return len(jobs)

    def _start(self, pool: str, job: schedule.Job, loaded: tuple[ProbeTarget, str]) -> None:
        # A probe holds its pool's room until the camera has answered, not while its result
        # waits for the batch writer: the next probes need not wait for a commit.
        slot = _Slot(self._inflight_by_pool, pool)
        # A picture probe keeps its room until stored: its result carries the decoded frame
        # (megabytes), which must not pile up in front of a slow database.
        probed = None if pool == "frame" else slot.release
        task = asyncio.create_task(self.runner.run_one(job, loaded, probed=probed))
        self._inflight.add(task)
        task.add_done_callback(partial(self._finished, slot))

    def _finished(self, slot: _Slot, task: asyncio.Task[Outcome | None]) -> None:
        self._inflight.discard(task)
        slot.release()
        if not task.cancelled() and task.exception() is not None:
            DATABASE_ERRORS_TOTAL.inc()
            logger.error("probe failed to be stored: %r", task.exception())

    def _housekeeping(self) -> None:
        now = utcnow()
        if self._leases_to_reclaim:
            self._reclaim_leases()
        with self.db.writing(), self.db.session() as session:
            if self._last_sync is None or now - self._last_sync >= SYNC_EVERY:
                schedule.sync_schedule(session, self.settings, now)
                self._last_sync = now
            incidents.maintain(session, self.settings, now)
        if self._last_cleanup is None or now - self._last_cleanup >= CLEANUP_EVERY:
            self._clean_up(now)
            self._last_cleanup = now
        self._deliver_notifications(now)

    def _reclaim_leases(self) -> None:
        # Without this, the cameras whose probes a crashed scheduler held would wait out the
        # whole lease (minutes) unprobed. A scheduler that is only cut off and still finishing
        # some of them stores nothing twice: the runner drops a result whose job ran elsewhere.
        with self.db.writing(), self.db.session() as session:
            reclaimed = schedule.release_all(session)
        self._leases_to_reclaim = False
        if reclaimed:
            logger.info(
                "took over %d probes leased by the previous scheduler: due at once", reclaimed
            )

    def _clean_up(self, now: datetime) -> None:
        # The database counts the recent hours' raw results without this process's write turn
        # (probes' results keep being stored meanwhile); the replacement is one short write.
        start, end = retention.rollup_window(now)
        with self.db.session() as session:
            rows = retention.compute_rollups(session, start, end)
        with self.db.writing(), self.db.session() as session:
            retention.store_rollups(session, start, end, rows)
            retention.purge(session, now, self.settings.raw_retention_days)

    def _lease(self, limit: int, kinds: frozenset[str] | None) -> list[schedule.Job]:
        with self.db.writing(), self.db.session() as session:
            return schedule.lease_due(session, utcnow(), limit, kinds)

    def _deliver_notifications(self, now: datetime) -> None:
        from monitor.notifiers.delivery import deliver_due

        # Bounded, so a stalled crew endpoint cannot hold up the next round of probes.
        deliver_due(self.db, self.settings, now=now, max_seconds=2.0)

    def storage_state(self) -> dict[str, object] | None:
        """Why probing pauses (the database refuses work), or None when it does not."""
        runner = self.runner
        if runner.storage_problem is None and not runner.unsaved:
            return None
        since = runner.storage_problem_since
        return {
            "problem": runner.storage_problem or "storing kept results",
            "since": since.isoformat() if since else None,
            "unsaved_results": len(runner.unsaved),
            "dropped_results": runner.unsaved_dropped,
        }

    def resync(self) -> None:
        """Ask the next tick to re-read the registry (after a change of cameras)."""
        self._last_sync = None


class _Slot:
    """One probe's share of its pool's room, given back once."""

    def __init__(self, counts: dict[str, int], pool: str) -> None:
        self._counts, self._pool, self._held = counts, pool, True
        counts[pool] += 1

    def release(self) -> None:
        """Give the room back (again: nothing)."""
        if self._held:
            self._held = False
            self._counts[self._pool] -= 1


async def run_forever(db: Database, settings: Settings) -> None:
    """Run the monitoring service until SIGTERM or cancelled (the `camwatch scheduler` role)."""
    service = MonitorService(db, settings)
    loop = asyncio.get_running_loop()
    terminated = asyncio.Event()
    # systemd and Docker stop a service with SIGTERM: stop as cleanly as on Ctrl-C instead of
    # dying with probes leased, which would leave their cameras unprobed for a whole lease.
    loop.add_signal_handler(signal.SIGTERM, terminated.set)
    service.start()
    try:
        await terminated.wait()
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        await service.stop()
