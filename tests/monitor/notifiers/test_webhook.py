"""Webhook delivery to a real loopback HTTP receiver: signature, headers, retries, dead letter."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from monitor.core.db import Database
from monitor.core.instruments import NOTIFICATIONS_TOTAL
from monitor.core.models import NotificationState
from monitor.core.settings import Settings
from monitor.notifiers.delivery import deliver_due
from monitor.notifiers.webhook import verify
from tests.monitor.notifiers.tickets_data import notification, queue_ticket, set_crew_channels
from tests.peers.ipycam_peer import free_port, unique_loopback_host
from tests.peers.webhook_receiver import WebhookReceiver
from tests.registry_data import CAMERA_PASSWORD, Seed


def _metric(outcome: str) -> float:
    return NOTIFICATIONS_TOTAL.labels(channel="webhook", outcome=outcome)._value.get()


def test_signed_message_reaches_the_receiver_and_verifies_with_the_secret(
    database: Database,
    notify_settings: Settings,
    seed: Seed,
    receiver: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    ticket_id, [nid] = queue_ticket(database, seed, notify_settings)
    sent_before = _metric("sent")

    report = deliver_due(database, notify_settings)

    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    [got] = receiver.wait_for(1)
    assert got.path == "/hooks/camwatch"
    assert verify(
        notify_settings.resolved_webhook_secret, got.body, got.headers["X-Camwatch-Signature"]
    )
    # a receiver holding another key (or a tampered body) does not verify
    assert not verify(b"another-key", got.body, got.headers["X-Camwatch-Signature"])
    assert not verify(
        notify_settings.resolved_webhook_secret,
        got.body + b" ",
        got.headers["X-Camwatch-Signature"],
    )
    assert got.headers["X-Camwatch-Event"] == "ticket.opened"
    assert got.headers["X-Camwatch-Delivery"] == str(nid)
    assert got.headers["Content-Type"].startswith("application/json")
    body = json.loads(got.body)
    assert body["ticket"]["id"] == ticket_id
    assert body["camera"]["host"]["phone"] == "0905111222"
    assert CAMERA_PASSWORD not in got.body.decode()
    assert CAMERA_PASSWORD not in caplog.text
    stored = notification(database, nid)
    assert (stored.state, stored.attempts, stored.last_error) == (NotificationState.SENT, 1, "")
    assert stored.sent_at is not None
    assert _metric("sent") == sent_before + 1
    # nothing is due any more: a second run sends nothing again
    assert deliver_due(database, notify_settings).attempted == 0
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "database", ["sqlite"], indirect=True
)  # the network part, not the database
def test_a_configured_webhook_secret_is_the_signing_key(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    from pydantic import SecretStr

    cfg = notify_settings.model_copy(update={"webhook_secret": SecretStr("crew-shared-key")})
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    queue_ticket(database, seed, cfg)
    deliver_due(database, cfg)
    [got] = receiver.wait_for(1)
    assert verify(b"crew-shared-key", got.body, got.headers["X-Camwatch-Signature"])


def test_failing_receiver_gets_retries_with_back_off_then_dead_letter(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    # schedule [10 s, 60 s]: three tries in all, then dead; the clock is passed in
    t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    _, [nid] = queue_ticket(database, seed, notify_settings)
    receiver.fail_next(3, status=503)
    retry_before, dead_before = _metric("retry"), _metric("dead")

    report = deliver_due(database, notify_settings, now=t0)
    assert (report.retried, report.errors) == (1, {nid: "HTTP 503"})
    stored = notification(database, nid)
    assert (stored.state, stored.attempts, stored.last_error) == ("pending", 1, "HTTP 503")
    assert stored.next_attempt_at.replace(tzinfo=UTC) == t0 + timedelta(seconds=10)

    # not before its time
    assert deliver_due(database, notify_settings, now=t0 + timedelta(seconds=9)).attempted == 0
    assert deliver_due(database, notify_settings, now=t0 + timedelta(seconds=10)).retried == 1
    stored = notification(database, nid)
    assert stored.next_attempt_at.replace(tzinfo=UTC) == t0 + timedelta(seconds=70)
    assert deliver_due(database, notify_settings, now=t0 + timedelta(seconds=69)).attempted == 0

    report = deliver_due(database, notify_settings, now=t0 + timedelta(seconds=70))
    assert report.dead == 1
    stored = notification(database, nid)
    assert (stored.state, stored.attempts) == (NotificationState.DEAD, 3)
    assert [r.answered for r in receiver.requests] == [503, 503, 503]
    assert {r.headers["X-Camwatch-Delivery"] for r in receiver.requests} == {str(nid)}
    assert (_metric("retry"), _metric("dead")) == (retry_before + 2, dead_before + 1)
    # a dead message is never tried again by the loop
    assert deliver_due(database, notify_settings, now=t0 + timedelta(days=1)).attempted == 0


@pytest.mark.parametrize(
    "database", ["sqlite"], indirect=True
)  # the network part, not the database
def test_stalled_receiver_costs_no_more_than_the_timeout(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    _, [nid] = queue_ticket(database, seed, notify_settings)
    receiver.stall_next(1, seconds=4.0)
    started = time.monotonic()
    report = deliver_due(database, notify_settings)
    elapsed = time.monotonic() - started
    # webhook_timeout_seconds is 1.0; the receiver would hold us 4 s
    assert elapsed < 1.0 + 1.5
    assert report.retried == 1
    assert notification(database, nid).last_error == "timeout (ReadTimeout)"


@pytest.mark.parametrize(
    "database", ["sqlite"], indirect=True
)  # the network part, not the database
def test_unreachable_receiver_is_retried_and_the_error_hides_the_url_credentials(
    database: Database,
    notify_settings: Settings,
    seed: Seed,
    receiver: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    host = unique_loopback_host()
    url = f"http://crew:hook-pass-77@{host}:{free_port(host)}/hooks"  # nothing listens there
    set_crew_channels(database, seed, webhook_url=url, email="")
    _, [nid] = queue_ticket(database, seed, notify_settings)
    report = deliver_due(database, notify_settings)
    assert report.retried == 1
    stored = notification(database, nid)
    assert stored.last_error == "connection failed (ConnectError)"
    assert "hook-pass-77" not in caplog.text
    assert receiver.requests == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # network, not database
def test_a_huge_slow_answer_body_is_not_waited_for(
    database: Database, notify_settings: Settings, seed: Seed, receiver: WebhookReceiver
) -> None:
    set_crew_channels(database, seed, webhook_url=receiver.url, email="")
    _, [nid] = queue_ticket(database, seed, notify_settings)
    receiver.huge_answer_next(1)
    started = time.monotonic()
    report = deliver_due(database, notify_settings)
    # the 2xx status is the answer; reading the body would hit the 1 s read timeout
    assert time.monotonic() - started < 1.0 + 1.5
    assert report.sent == 1
    assert notification(database, nid).state == NotificationState.SENT
