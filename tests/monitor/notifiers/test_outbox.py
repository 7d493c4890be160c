"""The outbox: what a ticket event queues, inside the caller's transaction."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from monitor.core.db import Database
from monitor.core.models import (
    Camera,
    Incident,
    IncidentKind,
    Notification,
    NotificationState,
    Ticket,
    TicketState,
)
from monitor.core.settings import Settings
from monitor.notifiers.outbox import enqueue_ticket_event, ticket_payload
from monitor.notifiers.texts import email_body, email_subject
from tests.monitor.notifiers.tickets_data import (
    FAULT_JPEG,
    GOOD_JPEG,
    make_ticket,
    queue_ticket,
    set_crew_channels,
)
from tests.registry_data import CAMERA_PASSWORD, Seed

HOOK = "http://127.0.0.1:9/hooks/crew"


def _count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Notification)) or 0


def test_one_message_per_channel_with_the_ticket_camera_place_contact_and_link(
    database: Database, settings: Settings, seed: Seed
) -> None:
    set_crew_channels(database, seed, webhook_url=HOOK, email="to-son-tinh@crew.test")
    ticket_id, ids = queue_ticket(database, seed, settings)
    with database.session() as s:
        rows = s.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.channel, n.target, n.state) for n in rows] == [
        ("webhook", HOOK, NotificationState.PENDING),
        ("email", "to-son-tinh@crew.test", NotificationState.PENDING),
    ]
    assert [n.id for n in rows] == ids
    hook = rows[0].payload
    assert hook["event"] == "ticket.opened"
    assert hook["ticket"]["id"] == ticket_id
    assert hook["ticket"]["state"] == "assigned"
    assert hook["ticket"]["priority"] == 1
    assert hook["ticket"]["fault"] == "offline"
    assert hook["ticket"]["link"] == f"http://127.0.0.1:8080/tickets/{ticket_id}"
    assert hook["ticket"]["due_at"]
    camera = hook["camera"]
    assert camera["code"] == "ST-0001"
    assert camera["areas"] == [
        "Tỉnh Quảng Ngãi",
        "Huyện Sơn Tịnh",
        "Xã Tịnh Phong",
        "Thôn Trường Thọ",
    ]
    assert (camera["latitude"], camera["longitude"], camera["importance"]) == (15.15, 108.78, 3)
    assert camera["address"] == "Quốc lộ 24B"
    assert camera["host"] == {
        "name": "Trường THCS Tịnh Phong",
        "contact_name": "Nguyễn Văn A",
        "phone": "0905111222",
    }
    assert camera["thumbnails"] == {
        "last_good": "http://127.0.0.1:8080/api/v1/cameras/ST-0001/thumbnails/last_good.jpg",
        "last_fault": "http://127.0.0.1:8080/api/v1/cameras/ST-0001/thumbnails/last_fault.jpg",
    }
    assert hook["incident"]["faults"] == ["offline"]
    assert hook["incident"]["reason"] == "no TCP answer on ports 80, 554"
    assert "attachments" not in hook
    # the email carries the pictures themselves
    attachments = rows[1].payload["attachments"]
    attached = {a["filename"]: base64.b64decode(a["data_b64"]) for a in attachments}
    assert attached == {"ST-0001-last_good.jpg": GOOD_JPEG, "ST-0001-last_fault.jpg": FAULT_JPEG}
    for row in rows:
        text = json.dumps(row.payload, ensure_ascii=False)
        assert CAMERA_PASSWORD not in text
        assert "password" not in text.lower()


def test_only_the_channels_the_crew_has(database: Database, settings: Settings, seed: Seed) -> None:
    set_crew_channels(database, seed, webhook_url=None, email="to@crew.test")
    _, ids = queue_ticket(database, seed, settings)
    assert len(ids) == 1
    set_crew_channels(database, seed, webhook_url=HOOK, email="")
    _, ids = queue_ticket(database, seed, settings, camera_code="ST-0002")
    with database.session() as s:
        assert s.get(Notification, ids[0]).channel == "webhook"
    assert _count(database) == 2


def test_no_crew_no_messages(database: Database, settings: Settings, seed: Seed) -> None:
    set_crew_channels(database, seed, webhook_url=HOOK, email="to@crew.test")
    _, ids = queue_ticket(database, seed, settings, crew=False)
    assert ids == []
    assert _count(database) == 0


def test_rolled_back_ticket_enqueues_nothing(
    database: Database, settings: Settings, seed: Seed
) -> None:
    set_crew_channels(database, seed, webhook_url=HOOK, email="to@crew.test")
    with pytest.raises(RuntimeError, match="ticket workflow failed"), database.session() as s:
        ticket = make_ticket(s, seed)
        assert len(enqueue_ticket_event(s, ticket, "ticket.opened", settings)) == 2
        raise RuntimeError("ticket workflow failed after queueing")
    assert _count(database) == 0
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0


def test_credentials_in_a_reason_are_scrubbed_and_unknown_events_refused(
    database: Database, settings: Settings, seed: Seed
) -> None:
    set_crew_channels(database, seed, webhook_url=HOOK, email="")
    reason = f"DESCRIBE rtsp://admin:{CAMERA_PASSWORD}@127.0.0.1:554/live refused"
    _, ids = queue_ticket(database, seed, settings, reason=reason)
    with database.session() as s:
        payload = s.get(Notification, ids[0]).payload
        assert payload["incident"]["reason"] == "DESCRIBE rtsp://127.0.0.1:554/live refused"
        ticket = s.scalars(select(Ticket)).one()
        with pytest.raises(ValueError, match="unknown ticket event"):
            ticket_payload(ticket, "ticket.exploded", settings)


def test_a_crew_assigned_by_id_is_told_even_if_the_relationship_was_read_before(
    database: Database, settings: Settings, seed: Seed
) -> None:
    set_crew_channels(database, seed, webhook_url=HOOK, email="to@crew.test")
    with database.session() as s:
        ticket = make_ticket(s, seed, crew=False)
        assert ticket.crew is None  # loaded now, so the relationship is stale after the next line
        ticket.crew_id = seed.crew_ids["st"]
        queued = enqueue_ticket_event(s, ticket, "ticket.assigned", settings)
        assert [n.channel for n in queued] == ["webhook", "email"]
        assert queued[0].payload["crew"]["name"] == "Tổ sửa chữa Sơn Tịnh"
    assert _count(database) == 2


def test_a_grouped_incident_names_its_cameras_and_renders_as_email(
    database: Database, settings: Settings, seed: Seed
) -> None:
    set_crew_channels(database, seed, webhook_url=None, email="to@crew.test")
    with database.session() as s:
        cameras = s.scalars(select(Camera).where(Camera.code.in_(["ST-0001", "ST-0002"]))).all()
        group = Incident(
            kind=IncidentKind.GROUP,
            group_key="upstream:router-7",
            state="down",
            faults=["offline"],
            reason="2 cameras behind router-7",
        )
        s.add(group)
        s.flush()
        for camera in cameras:
            s.add(
                Incident(
                    kind=IncidentKind.CAMERA,
                    camera_id=camera.id,
                    group_id=group.id,
                    state="down",
                    faults=["offline"],
                )
            )
        ticket = Ticket(
            incident_id=group.id,
            crew_id=seed.crew_ids["st"],
            state=TicketState.OPEN,
            fault="offline",
            title="Mất kết nối – 2 camera (upstream:router-7)",
            due_at=datetime.now(UTC),
        )
        s.add(ticket)
        s.flush()
        s.expire(group, ["members"])
        [mail] = enqueue_ticket_event(s, ticket, "ticket.opened", settings)
        payload = mail.payload
    assert payload["camera"] is None
    assert payload["incident"]["kind"] == "group"
    assert payload["incident"]["cameras"] == ["ST-0001", "ST-0002"]
    assert payload["attachments"] == []
    assert email_subject(payload) == (
        f"[Camera an ninh] Phiếu sửa chữa mới #{payload['ticket']['id']}: "
        "Mất kết nối – 2 camera (upstream:router-7) – Mất kết nối"
    )
    assert "Các camera trong sự cố: ST-0001, ST-0002" in email_body(payload)
