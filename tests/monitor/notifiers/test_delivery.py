"""The delivery loop: concurrent workers send each message once; a dead worker's claim expires."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text

from monitor.core.db import Database
from monitor.core.models import Crew, Notification, NotificationState, utcnow
from monitor.core.settings import Settings
from monitor.notifiers.delivery import DeliveryReport, _claim, deliver_due, retry_delay
from monitor.notifiers.outbox import enqueue_ticket_event
from tests.monitor.notifiers.tickets_data import make_ticket, notification, set_crew_channels
from tests.peers.webhook_receiver import WebhookReceiver
from tests.registry_data import Seed

MESSAGES = 60


def test_retry_schedule_then_dead() -> None:
    schedule = [30.0, 120.0, 600.0]
    assert [retry_delay(n, schedule) for n in (1, 2, 3, 4)] == [30.0, 120.0, 600.0, None]


def test_two_concurrent_workers_send_each_message_once(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    with database.session() as s:
        for _ in range(MESSAGES):
            enqueue_ticket_event(s, make_ticket(s, seed), "ticket.opened", notify_settings)
    receiver.stall_next(MESSAGES, seconds=0.02)  # slow enough that the two runs overlap
    workers = [Database(database.url) for _ in range(2)]  # own engines, as two processes
    reports: list[DeliveryReport] = []
    start = threading.Barrier(2)

    def work(db: Database) -> None:
        start.wait()
        reports.append(deliver_due(db, notify_settings, limit=MESSAGES))

    threads = [threading.Thread(target=work, args=(db,)) for db in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for db in workers:
        db.dispose()

    deliveries = Counter(r.headers["X-Camwatch-Delivery"] for r in receiver.requests)
    assert len(deliveries) == MESSAGES
    assert max(deliveries.values()) == 1
    assert len(reports) == 2
    assert sum(r.sent for r in reports) == MESSAGES
    if database.is_postgresql:
        # both workers really ran at once and shared the queue
        assert min(r.sent for r in reports) > 0
    with database.session() as s:
        states = Counter(n.state for n in s.query(Notification))
    assert states == {NotificationState.SENT: MESSAGES}


def test_a_claim_left_by_a_dead_worker_is_sent_after_its_lease(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    with database.session() as s:
        [n] = enqueue_ticket_event(s, make_ticket(s, seed), "ticket.opened", notify_settings)
    now = utcnow()
    lease_until = now + timedelta(minutes=5)
    [job] = _claim(database, now, 10, lease_until)  # claimed, then the worker "dies"
    assert job.id == n.id
    assert deliver_due(database, notify_settings, now=now).attempted == 0
    assert receiver.requests == []
    report = deliver_due(database, notify_settings, now=lease_until)
    assert report.sent == 1
    assert len(receiver.wait_for(1)) == 1
    assert notification(database, n.id).state == NotificationState.SENT


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_rows_another_worker_holds_are_skipped_not_waited_for(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    with database.session() as s:
        for _ in range(3):
            enqueue_ticket_event(s, make_ticket(s, seed), "ticket.opened", notify_settings)
    other = database.engine.connect()  # another worker, mid-claim: holds the row locks
    other.begin()
    held = other.execute(text("SELECT id FROM notifications ORDER BY id LIMIT 2 FOR UPDATE"))
    held_ids = [row[0] for row in held]
    reports: list[DeliveryReport] = []
    worker = threading.Thread(target=lambda: reports.append(deliver_due(database, notify_settings)))
    worker.start()
    worker.join(timeout=15)
    try:
        assert not worker.is_alive(), "deliver_due waited for rows another worker holds"
        [report] = reports
        assert report.sent == 1
        sent = {r.headers["X-Camwatch-Delivery"] for r in receiver.requests}
        assert sent.isdisjoint(str(i) for i in held_ids)
    finally:
        other.rollback()
        other.close()
        worker.join(timeout=15)
    assert deliver_due(database, notify_settings).sent == 2
    assert len(receiver.wait_for(3)) == 3


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # network, not database
def test_a_stalled_destination_costs_one_timeout_and_does_not_hold_up_others(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    with WebhookReceiver() as healthy:
        with database.session() as s:
            other = Crew(name="Tổ sửa chữa Bình Sơn", webhook_url=healthy.url)
            s.add(other)
            s.flush()
            stalled_ids = []
            for _ in range(3):
                ticket = make_ticket(s, seed)
                stalled_ids += [
                    n.id for n in enqueue_ticket_event(s, ticket, "ticket.opened", notify_settings)
                ]
            ticket = make_ticket(s, seed)
            ticket.crew_id = other.id
            [healthy_msg] = enqueue_ticket_event(s, ticket, "ticket.opened", notify_settings)
        receiver.stall_next(3, seconds=3.0)
        started = time.monotonic()
        report = deliver_due(database, notify_settings)
        # one 1 s timeout for the stalled crew, not three; the other crew is served meanwhile
        assert time.monotonic() - started < 1.0 + 1.5
        assert (report.sent, report.retried, report.deferred) == (1, 1, 2)
        assert len(healthy.wait_for(1)) == 1
        assert notification(database, healthy_msg.id).state == NotificationState.SENT
        waiting = [notification(database, i) for i in stalled_ids[1:]]
        assert [(n.attempts, n.state) for n in waiting] == [(0, "pending"), (0, "pending")]
        assert all(n.next_attempt_at.replace(tzinfo=UTC) <= utcnow() for n in waiting)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # network, not database
def test_no_new_message_is_started_after_max_seconds(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    with database.session() as s:
        for _ in range(3):
            enqueue_ticket_event(s, make_ticket(s, seed), "ticket.opened", notify_settings)
    receiver.stall_next(3, seconds=0.3)
    report = deliver_due(database, notify_settings, max_seconds=0.1)
    assert (report.sent, report.deferred, report.out_of_time) == (1, 2, True)
    assert deliver_due(database, notify_settings).sent == 2
    assert len(receiver.wait_for(3)) == 3
