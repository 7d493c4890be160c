"""Deliver due outbox messages: claim, send, and record the outcome with back-off retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from monitor.core.db import Database
from monitor.core.instruments import NOTIFICATIONS_TOTAL
from monitor.core.models import Notification, NotificationState, as_utc, utcnow
from monitor.core.settings import Settings
from monitor.notifiers.destinations import DestinationRefused, check_webhook_url
from monitor.notifiers.email import EmailSender
from monitor.notifiers.errors import DeliveryError
from monitor.notifiers.outbox import EMAIL, WEBHOOK, scrub
from monitor.notifiers.webhook import WebhookSender

logger = logging.getLogger(__name__)

# Claimed in small batches so a lease stays short: if this worker dies mid-batch, another one
# picks the rest up after the lease (receivers de-duplicate on the delivery id).
BATCH = 10
SERVER = ""  # destination key for "every message of this channel" (the mail server is down)
MAX_ERROR_CHARS = 300


@dataclass
class DeliveryReport:
    """What one `deliver_due` call did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0  # claimed but not tried (destination failing, or out of time): due again
    out_of_time: bool = False
    errors: dict[int, str] = field(default_factory=dict)  # notification id -> last error

    @property
    def attempted(self) -> int:
        """Messages tried in this call."""
        return self.sent + self.retried + self.dead


@dataclass(frozen=True)
class _Job:
    id: int
    channel: str
    target: str
    event: str
    payload: dict[str, Any]
    attempts: int


def retry_delay(attempts: int, schedule: list[float]) -> float | None:
    """Seconds to wait after `attempts` failed tries, or None when the message is dead."""
    if attempts < 1 or attempts > len(schedule):
        return None
    return schedule[attempts - 1]


def _utc(now: datetime | None) -> datetime:
    return as_utc(now) or utcnow()


def _lease_seconds(settings: Settings) -> float:
    # connect + write + read may each take up to the timeout
    per_message = 3 * max(settings.webhook_timeout_seconds, settings.smtp_timeout_seconds)
    return 60.0 + BATCH * per_message


def _claim(
    db: Database, now: datetime, count: int, lease_until: datetime, exclude: Sequence[int] = ()
) -> list[_Job]:
    """Take up to `count` due messages by pushing their next attempt past the lease."""
    due = (
        select(Notification.id)
        .where(Notification.state == NotificationState.PENDING)
        .where(Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(count)
    )
    if exclude:
        due = due.where(Notification.id.not_in(exclude))
    with db.session() as s:
        if db.is_postgresql:
            # Rows another worker holds are skipped, not waited for: no message is sent twice.
            ids = list(s.scalars(due.with_for_update(skip_locked=True)))
            if not ids:
                return []
            s.execute(
                update(Notification)
                .where(Notification.id.in_(ids))
                .values(next_attempt_at=lease_until)
                .execution_options(synchronize_session=False)
            )
        else:
            # SQLite has one writer: a single UPDATE claims atomically.
            ids = list(
                s.scalars(
                    update(Notification)
                    .where(Notification.id.in_(due.scalar_subquery()))
                    .values(next_attempt_at=lease_until)
                    .returning(Notification.id)
                    .execution_options(synchronize_session=False)
                )
            )
            if not ids:
                return []
        rows = s.execute(
            select(
                Notification.id,
                Notification.channel,
                Notification.target,
                Notification.event,
                Notification.payload,
                Notification.attempts,
            )
            .where(Notification.id.in_(ids))
            .order_by(Notification.id)
        ).all()
    return [_Job(*row) for row in rows]


def _record(
    db: Database, job: _Job, error: str | None, now: datetime, settings: Settings
) -> NotificationState:
    attempts = job.attempts + 1
    values: dict[str, Any] = {"attempts": attempts}
    if error is None:
        values.update(state=NotificationState.SENT, sent_at=now, last_error="")
        outcome = NotificationState.SENT
    else:
        values["last_error"] = scrub(error)[:MAX_ERROR_CHARS]
        delay = retry_delay(attempts, settings.notify_retry_seconds)
        if delay is None:
            values.update(state=NotificationState.DEAD, next_attempt_at=now)
            outcome = NotificationState.DEAD
        else:
            values["next_attempt_at"] = now + timedelta(seconds=delay)
            outcome = NotificationState.PENDING
    with db.session() as s:
        s.execute(
            update(Notification)
            .where(Notification.id == job.id, Notification.state == NotificationState.PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return outcome


class _Senders:
    """One webhook client and one SMTP connection per delivery run, opened on first use."""

    def __init__(self, settings: Settings, stack: ExitStack) -> None:
        self._settings = settings
        self._stack = stack
        self._webhook: WebhookSender | None = None
        self._email: EmailSender | None = None

    def send(self, job: _Job) -> None:
        s = self._settings
        if job.channel == WEBHOOK:
            try:
                check_webhook_url(job.target, s, resolve=True)
            except DestinationRefused as exc:
                raise DeliveryError(str(exc)) from exc
            if self._webhook is None:
                sender = WebhookSender(s.resolved_webhook_secret, s.webhook_timeout_seconds)
                self._webhook = self._stack.enter_context(sender)
            self._webhook.send(job.target, job.event, job.id, job.payload)
        elif job.channel == EMAIL:
            if self._email is None:
                self._email = self._stack.enter_context(EmailSender(s))
            self._email.send(job.target, job.id, job.payload)
        else:
            raise DeliveryError(f"unknown channel {job.channel!r}")


def deliver_due(
    db: Database,
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int = 100,
    max_seconds: float | None = None,
) -> DeliveryReport:
    """Send pending messages whose next attempt is due; safe to call often and concurrently.

    A destination that fails once is not tried again in the same call (its other messages wait,
    uncounted), and no new message is started after `max_seconds`.
    """
    report = DeliveryReport()
    fixed_clock = now is not None  # a caller's clock (tests, catch-up) is kept for outcomes too
    now = _utc(now)
    lease_until = now + timedelta(seconds=_lease_seconds(settings))
    stop_at = None if max_seconds is None else time.monotonic() + max_seconds
    failing: set[tuple[str, str]] = set()
    deferred: list[int] = []  # claimed, not tried: their destination failed earlier in this call
    with ExitStack() as stack:
        senders = _Senders(settings, stack)
        while report.attempted < limit:
            count = min(BATCH, limit - report.attempted)
            jobs = _claim(db, now, count, lease_until, exclude=deferred)
            if not jobs:
                break
            batch_deferred: list[int] = []
            for index, job in enumerate(jobs):
                if stop_at is not None and time.monotonic() >= stop_at:
                    batch_deferred += [j.id for j in jobs[index:]]
                    report.out_of_time = True
                    break
                if _destination(job) in failing or (job.channel, SERVER) in failing:
                    batch_deferred.append(job.id)
                    continue
                error: str | None = None
                try:
                    senders.send(job)
                except DeliveryError as exc:
                    error = str(exc)
                    failing.add((job.channel, SERVER) if exc.server_down else _destination(job))
                at = now if fixed_clock else utcnow()
                outcome = _record(db, job, error, at, settings)
                _count(report, job, outcome, error)
            _release(db, batch_deferred, now)
            deferred += batch_deferred
            if report.out_of_time or len(deferred) >= limit:
                break
    report.deferred = len(deferred)
    return report


def _destination(job: _Job) -> tuple[str, str]:
    return job.channel, job.target


def _release(db: Database, ids: list[int], now: datetime) -> None:
    """Give claimed but untried messages back, due at once, their attempts untouched."""
    if not ids:
        return
    with db.session() as s:
        s.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.state == NotificationState.PENDING)
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )


def _count(
    report: DeliveryReport, job: _Job, outcome: NotificationState, error: str | None
) -> None:
    if outcome == NotificationState.SENT:
        report.sent += 1
        label = "sent"
        logger.info("notification %s (%s, %s): sent", job.id, job.channel, job.event)
    elif outcome == NotificationState.DEAD:
        report.dead += 1
        label = "dead"
        logger.warning(
            "notification %s (%s, %s): dead after %d attempts: %s",
            job.id,
            job.channel,
            job.event,
            job.attempts + 1,
            error,
        )
    else:
        report.retried += 1
        label = "retry"
        logger.info(
            "notification %s (%s, %s): attempt %d failed, will retry: %s",
            job.id,
            job.channel,
            job.event,
            job.attempts + 1,
            error,
        )
    if error is not None:
        report.errors[job.id] = error
    NOTIFICATIONS_TOTAL.labels(channel=job.channel, outcome=label).inc()
