"""The monitoring service: a scheduler tick that leases due probes, runs them, and keeps order."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError

from monitor.core.db import Database
from monitor.core.instruments import DATABASE_ERRORS_TOTAL, SCHEDULER_LEADER
from monitor.core.models import utcnow
from monitor.core.settings import Settings
from monitor.monitoring import retention, schedule
from monitor.monitoring.leadership import Leadership
from monitor.monitoring.runner import Outcome, Runner
from monitor.outages import incidents

logger = logging.getLogger(__name__)

SYNC_EVERY = timedelta(seconds=60)
CLEANUP_EVERY = timedelta(minutes=10)


class MonitorService:
    """Watches the whole fleet: one acting scheduler per database, probes run in this process."""

    def __init__(self, db: Database, settings: Settings, runner: Runner | None = None) -> None:
        self.db = db
        self.settings = settings
        self.runner = runner or Runner(db, settings)
        self.leadership = Leadership(db)
        self._inflight: set[asyncio.Task[list[Outcome]]] = set()
        self._jobs_in_flight = 0
        self._last_sync: datetime | None = None
        self._last_cleanup: datetime | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self.ticks = 0

    @property
    def capacity(self) -> int:
        """How many probes may be in flight at once in this process."""
        return self.settings.runner_cheap_concurrency + self.settings.runner_frame_concurrency

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
        logger.info("monitoring started (tick every %.1f s)", self.settings.scheduler_tick_seconds)

    async def stop(self) -> None:
        """Stop ticking, let probes in flight finish, and give up the scheduler lock."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await self.runner.close()  # the reused ONVIF sessions of every camera
        await asyncio.to_thread(self.leadership.release)
        SCHEDULER_LEADER.set(0)

    async def tick(self) -> None:
        """One round: lead or wait; hand out due probes; group outages and open tickets."""
        self.ticks += 1
        leading = await asyncio.to_thread(self.leadership.try_acquire)
        SCHEDULER_LEADER.set(1 if leading else 0)
        if not leading:
            return
        try:
            jobs = await asyncio.to_thread(self._housekeeping_and_lease)
        except SQLAlchemyError:
            DATABASE_ERRORS_TOTAL.inc()
            logger.exception("scheduler tick failed on the database")
            return
        if jobs and self.settings.runner_mode == "celery":
            from monitor.monitoring.distributed import dispatch

            await asyncio.to_thread(dispatch, self.db, self.settings, jobs)
            return
        if jobs:
            self._jobs_in_flight += len(jobs)
            task = asyncio.create_task(self.runner.run(jobs))
            self._inflight.add(task)
            task.add_done_callback(lambda done: self._finished(done, len(jobs)))

    def _finished(self, task: asyncio.Task[list[Outcome]], count: int) -> None:
        self._inflight.discard(task)
        self._jobs_in_flight -= count
        if not task.cancelled() and task.exception() is not None:
            DATABASE_ERRORS_TOTAL.inc()
            logger.error("probe batch failed: %r", task.exception())

    def _housekeeping_and_lease(self) -> list[schedule.Job]:
        now = utcnow()
        with self.db.session() as session:
            if self._last_sync is None or now - self._last_sync >= SYNC_EVERY:
                schedule.sync_schedule(session, self.settings, now)
                self._last_sync = now
            incidents.maintain(session, self.settings, now)
            if self._last_cleanup is None or now - self._last_cleanup >= CLEANUP_EVERY:
                retention.clean_up(session, now, self.settings.raw_retention_days)
                self._last_cleanup = now
        self._deliver_notifications(now)
        # Keep at most two rounds of work queued in this process; the rest waits in the table.
        free = max(0, self.capacity * 2 - self._jobs_in_flight)
        if free == 0:
            return []
        with self.db.session() as session:
            return schedule.lease_due(session, now, free)

    def _deliver_notifications(self, now: datetime) -> None:
        from monitor.notifiers.delivery import deliver_due

        # Bounded, so a stalled crew endpoint cannot hold up the next round of probes.
        deliver_due(self.db, self.settings, now=now, max_seconds=2.0)

    def resync(self) -> None:
        """Ask the next tick to re-read the registry (after a change of cameras)."""
        self._last_sync = None


async def run_forever(db: Database, settings: Settings) -> None:
    """Run the monitoring service until cancelled (the `camwatch scheduler` role)."""
    service = MonitorService(db, settings)
    service.start()
    try:
        await asyncio.Event().wait()
    finally:
        await service.stop()
