"""Admin API of the notification outbox: dead-letter list, pending list, retry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.notifiers.delivery import deliver_due
from tests.api.conftest import auth
from tests.monitor.notifiers.tickets_data import (
    dead_notification,
    queue_ticket,
    set_crew_channels,
)
from tests.peers.webhook_receiver import WebhookReceiver
from tests.registry_data import CAMERA_PASSWORD, Seed


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP webhook receiver on a unique loopback address."""
    with WebhookReceiver() as hook:
        yield hook


def test_dead_letter_is_visible_to_admins_and_retryable(
    client: TestClient,
    database: Database,
    settings: Settings,
    seed: Seed,
    receiver: WebhookReceiver,
) -> None:
    # no retries configured: the first failure is final
    cfg = settings.model_copy(update={"notify_retry_seconds": [], "webhook_timeout_seconds": 2.0})
    url = receiver.url.replace("http://", "http://crew:hook-pass-77@")
    set_crew_channels(database, seed, webhook_url=url, email="")
    ticket_id, [hook_id] = queue_ticket(database, seed, cfg)
    receiver.fail_next(1, status=500)
    assert deliver_due(database, cfg).dead == 1

    admin = auth(seed, "admin")
    dead = client.get("/api/v1/notifications", params={"state": "dead"}, headers=admin)
    assert dead.status_code == 200
    [item] = dead.json()["items"]
    assert (item["id"], item["ticket_id"], item["channel"], item["state"]) == (
        hook_id,
        ticket_id,
        "webhook",
        "dead",
    )
    assert (item["attempts"], item["last_error"]) == (1, "HTTP 500")
    assert item["target"] == receiver.url  # shown without the user-info
    assert item["payload"]["camera"]["code"] == "ST-0001"
    assert "hook-pass-77" not in dead.text
    assert CAMERA_PASSWORD not in dead.text

    retried = client.post(f"/api/v1/notifications/{hook_id}/retry", headers=admin)
    assert retried.status_code == 200
    assert (retried.json()["state"], retried.json()["attempts"]) == ("pending", 0)
    assert deliver_due(database, cfg).sent == 1
    assert [r.answered for r in receiver.wait_for(2)] == [500, 204]
    shown = client.get(f"/api/v1/notifications/{hook_id}", headers=admin).json()
    assert shown["state"] == "sent"

    # only a dead message can be retried; unknown ids are 404
    again = client.post(f"/api/v1/notifications/{hook_id}/retry", headers=admin)
    assert again.status_code == 409
    assert client.post("/api/v1/notifications/999999/retry", headers=admin).status_code == 404

    # pending messages are listed too, without the attachment bodies
    set_crew_channels(database, seed, webhook_url=None, email="to@crew.test")
    _, [mail_id] = queue_ticket(database, seed, cfg, camera_code="ST-0002")
    pending = client.get("/api/v1/notifications", params={"state": "pending"}, headers=admin)
    [waiting] = pending.json()["items"]
    assert (waiting["id"], waiting["channel"], waiting["attachments"]) == (mail_id, "email", 2)
    assert "attachments" not in waiting["payload"]
    assert client.get("/api/v1/notifications", headers=admin).json()["total"] == 2

    log = client.get("/api/v1/audit", params={"entity": "notification"}, headers=admin).json()
    assert [(e["action"], e["entity_id"]) for e in log["items"]] == [
        ("notification.retry", str(hook_id))
    ]


def test_other_roles_and_anonymous_may_not_see_or_retry(
    client: TestClient, database: Database, seed: Seed
) -> None:
    nid = dead_notification(database)
    for role in ("technician", "police", "crew"):
        headers = auth(seed, role)
        assert client.get("/api/v1/notifications", headers=headers).status_code == 403
        assert client.get(f"/api/v1/notifications/{nid}", headers=headers).status_code == 403
        retry = client.post(f"/api/v1/notifications/{nid}/retry", headers=headers)
        assert retry.status_code == 403
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post(f"/api/v1/notifications/{nid}/retry").status_code == 401
    shown = client.get(f"/api/v1/notifications/{nid}", headers=auth(seed, "admin")).json()
    assert shown["state"] == "dead"  # nobody refused above could change it
