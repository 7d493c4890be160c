"""Spreading probes over machines: Celery workers, one queue per routing area.

The scheduler (still one acting per database) sends each due probe to the queue of the camera's
routing area (a cluster or a commune, CAMWATCH_ROUTING_AREA_LEVEL); any worker listening on that
queue runs it and stores the result itself. An area's workers can sit in that area's network,
close to its cameras.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from datetime import datetime
from functools import cache

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import select

from monitor.core.db import Database
from monitor.core.models import Area, AreaLevel, Camera
from monitor.core.settings import Settings, get_settings
from monitor.monitoring import schedule
from monitor.monitoring.schedule import Job
from monitor.registry.areas import path_ids

logger = logging.getLogger(__name__)

# Publishing waits this little for an absent broker: the tick gives the jobs back instead.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2}


# How long a worker's batch writer waits for more results (see _WorkerLoop).
WORKER_BATCH_LINGER = 0.02


class BrokerUnavailable(Exception):
    """The broker did not take the probes; the unsent ones were given back to the schedule."""


celery_app = Celery("camwatch")
celery_app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_acks_late=True,  # a worker that dies mid-probe leaves the message for another
    worker_prefetch_multiplier=4,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    # The broker confirms every message it took: one written into a connection that was dying
    # (the broker away) raises and is given back to the schedule, instead of being lost and its
    # probe left leased for minutes.
    broker_transport_options={"confirm_publish": True},
    # After a reconnect with probes still running, Celery lowers the prefetch count and raises
    # it again as each later task is acknowledged, by a synchronous basic.qos sent from the
    # thread that ran the task. With the threads pool several of those (and the consumer's own
    # basic.consume) then wait on one AMQP connection, which is not thread-safe: each can read
    # another's reply, and all block forever. Seen as a worker that took no probe after the
    # broker came back (every pool thread in Channel.basic_qos). Prefetching the full count at
    # once after a reconnect costs nothing here: copies of probes that already ran are skipped.
    worker_enable_prefetch_count_reduction=False,
)


def configure(settings: Settings) -> Celery:
    """Point the Celery app at the configured broker."""
    celery_app.conf.broker_url = settings.celery_broker_url
    return celery_app


# So that `celery --app monitor.monitoring.distributed:celery_app …` (health checks) works too.
configure(get_settings())


def queue_for(settings: Settings, area_code: str | None) -> str:
    """The queue of a routing area's probes (one default queue for cameras outside any)."""
    return f"{settings.celery_queue_prefix}.{area_code or 'default'}"


def routing_codes(db: Database, settings: Settings, camera_ids: list[int]) -> dict[int, str | None]:
    """The routing area code of each camera (from its area's path)."""
    level = AreaLevel(settings.routing_area_level)
    with db.session() as session:
        units = {
            a.id: a.code
            for a in session.scalars(
                select(Area).where(Area.level == level, Area.superseded_by_id.is_(None))
            )
        }
        result: dict[int, str | None] = {}
        for camera_id, path in session.execute(
            select(Camera.id, Area.path)
            .join(Area, Camera.area_id == Area.id)
            .where(Camera.id.in_(camera_ids))
        ):
            result[camera_id] = next((units[i] for i in path_ids(path) if i in units), None)
        return result


def dispatch(db: Database, settings: Settings, jobs: list[Job]) -> int:
    """Send due probes to their routing areas' queues; returns how many were sent."""
    configure(settings)
    codes = routing_codes(db, settings, [j.camera_id for j in jobs])
    sent = 0
    try:
        for job in jobs:
            run_probe_job.apply_async(
                args=[job.camera_id, job.kind, job.due_at.isoformat()],
                queue=queue_for(settings, codes.get(job.camera_id)),
                retry=True,
                retry_policy=PUBLISH_RETRY,
            )
            sent += 1
    except _publish_errors() as exc:
        # Not lost and not left leased for minutes: handed out again once the broker is back.
        with db.session() as session:
            schedule.release(session, jobs[sent:])
        raise BrokerUnavailable(f"{len(jobs) - sent} probes not sent") from exc
    return sent


@cache
def _publish_errors() -> tuple[type[Exception], ...]:
    # Besides kombu's OperationalError, what the broker's client library raises itself for a
    # broken connection or channel (not every one is wrapped): each gives the unsent jobs back.
    with celery_app.connection_for_write() as conn:  # not connected: only its error types
        library = tuple(conn.connection_errors) + tuple(conn.channel_errors)
    return (BrokerError, OSError, *library)


class _WorkerLoop:
    """One event loop per worker process: ONVIF sessions are reused between tasks on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="probe-loop", daemon=True).start()
        settings = get_settings()
        from monitor.monitoring.runner import Runner

        self.db = Database.from_settings(settings)
        # A task's thread waits until its result is committed (acks late), so a long linger
        # would hold every thread of the pool: batches here are what arrives meanwhile.
        self.runner = Runner(self.db, settings, batch_linger=WORKER_BATCH_LINGER)
        # Jobs running now (touched only on the loop's thread): a copy the broker delivers again
        # while the first still runs is not run twice.
        self._running: set[Job] = set()

    def run(self, job: Job, timeout: float) -> None:
        future = asyncio.run_coroutine_threadsafe(self._run(job), self.loop)
        future.result(timeout)

    async def _run(self, job: Job) -> None:
        if job in self._running:
            logger.info("camera %s %s probe due %s is running", job.camera_id, job.kind, job.due_at)
            return
        self._running.add(job)
        try:
            if not await asyncio.to_thread(self._still_due, job):
                # A copy the broker delivered again (its ack was lost in a cut): already run.
                logger.info(
                    "camera %s %s probe due %s already ran", job.camera_id, job.kind, job.due_at
                )
                return
            await self.runner.run_one(job)
        finally:
            self._running.discard(job)

    def _still_due(self, job: Job) -> bool:
        with self.db.session() as session:
            return schedule.still_due(session, job)


_LOOP_LOCK = threading.Lock()


@cache
def _cached_loop() -> _WorkerLoop:
    return _WorkerLoop()


def _worker_loop() -> _WorkerLoop:
    # The pool's threads take their first tasks at once: one loop (and one runner) per process.
    with _LOOP_LOCK:
        return _cached_loop()


@celery_app.task(name="camwatch.probe")
def run_probe_job(camera_id: int, kind: str, due_at: str) -> None:
    """Run one probe of one camera and store its result (in a worker)."""
    loop = _worker_loop()
    timeout = get_settings().probe_timeout_seconds * 3 + 30
    loop.run(Job(camera_id, kind, datetime.fromisoformat(due_at), leased=True), timeout)


def worker_queues(settings: Settings, area_codes: list[str]) -> list[str]:
    """The queues a worker for these routing areas listens on (none given: all, and default)."""
    if area_codes:
        return [queue_for(settings, code) for code in area_codes]
    level = AreaLevel(settings.routing_area_level)
    with Database.from_settings(settings).session() as session:
        codes = list(
            session.scalars(
                select(Area.code).where(Area.level == level, Area.superseded_by_id.is_(None))
            )
        )
    return [queue_for(settings, code) for code in codes] + [queue_for(settings, None)]


def run_worker(settings: Settings, area_codes: list[str], concurrency: int) -> None:
    """Start a Celery worker on the queues of the given routing areas (none: the whole province)."""
    configure(settings)
    queues = worker_queues(settings, area_codes)
    celery_app.worker_main(
        argv=[
            "worker",
            "-Q",
            ",".join(queues),
            "--pool",
            "threads",
            "-c",
            str(concurrency),
            # A node name of its own: Celery's control queue is exclusive to one connection
            # per name, so a second worker named like another one on the broker (the default
            # celery@<host> of every worker on this machine) is refused it and probes nothing.
            "--hostname",
            f"camwatch-{os.getpid()}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )
