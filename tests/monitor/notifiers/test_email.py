"""Email delivery to a real SMTP server on loopback: Vietnamese text, thumbnails, retries."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from monitor.core.db import Database
from monitor.core.models import NotificationState
from monitor.core.settings import Settings
from monitor.notifiers.delivery import deliver_due
from tests.monitor.notifiers.tickets_data import (
    FAULT_JPEG,
    GOOD_JPEG,
    notification,
    queue_ticket,
    set_crew_channels,
)
from tests.peers.ipycam_peer import free_port, unique_loopback_host
from tests.peers.smtp_server import SmtpServer
from tests.registry_data import CAMERA_PASSWORD, Seed

CREW_MAIL = "to-son-tinh@crew.test"


def test_vietnamese_email_with_the_thumbnails_attached(
    database: Database,
    notify_settings: Settings,
    seed: Seed,
    smtp: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    set_crew_channels(database, seed, webhook_url=None, email=f"{CREW_MAIL}, lead@crew.test")
    ticket_id, [nid] = queue_ticket(database, seed, notify_settings)

    report = deliver_due(database, notify_settings)

    assert report.sent == 1
    [mail] = smtp.wait_for(1)
    assert mail.mail_from == "camwatch@quangngai.test"
    assert mail.rcpt_tos == [CREW_MAIL, "lead@crew.test"]
    msg = mail.message
    assert msg["Subject"] == (
        f"[Camera an ninh] Phiếu sửa chữa mới #{ticket_id}: ST-0001 – Mất kết nối"
    )
    assert msg["X-Camwatch-Delivery"] == str(nid)
    text = msg.get_body(preferencelist=("plain",))
    assert text is not None
    assert text.get_content_charset() == "utf-8"
    body = text.get_content()
    assert "Kính gửi Tổ sửa chữa Sơn Tịnh," in body
    assert "Trạng thái: Đã giao" in body
    assert "Tỉnh Quảng Ngãi / Huyện Sơn Tịnh / Xã Tịnh Phong / Thôn Trường Thọ" in body
    assert "Người liên hệ: Nguyễn Văn A – 0905111222" in body
    assert f"http://127.0.0.1:8080/tickets/{ticket_id}" in body
    assert "/api/v1/cameras/ST-0001/thumbnails/last_fault.jpg" in body
    attachments = {
        part.get_filename(): (part.get_content_type(), part.get_content())
        for part in msg.iter_attachments()
    }
    assert attachments == {
        "ST-0001-last_good.jpg": ("image/jpeg", GOOD_JPEG),
        "ST-0001-last_fault.jpg": ("image/jpeg", FAULT_JPEG),
    }
    assert CAMERA_PASSWORD not in body
    assert CAMERA_PASSWORD.encode() not in mail.raw
    assert CAMERA_PASSWORD not in caplog.text
    assert notification(database, nid).state == NotificationState.SENT


@pytest.mark.parametrize(
    "database", ["sqlite"], indirect=True
)  # the network part, not the database
def test_english_when_the_language_is_en(
    database: Database, notify_settings: Settings, seed: Seed, smtp: SmtpServer
) -> None:
    cfg = notify_settings.model_copy(update={"language": "en"})
    set_crew_channels(database, seed, webhook_url=None, email=CREW_MAIL)
    ticket_id, _ = queue_ticket(database, seed, cfg, event="ticket.reopened")
    deliver_due(database, cfg)
    [mail] = smtp.wait_for(1)
    assert mail.message["Subject"] == (
        f"[Camera monitoring] Ticket reopened #{ticket_id}: ST-0001 – Offline"
    )
    body = mail.message.get_body(preferencelist=("plain",)).get_content()
    assert "Contact: Nguyễn Văn A – 0905111222" in body


def test_temporary_refusal_is_retried_then_sent_once(
    database: Database, notify_settings: Settings, seed: Seed, smtp: SmtpServer
) -> None:
    set_crew_channels(database, seed, webhook_url=None, email=CREW_MAIL)
    _, [nid] = queue_ticket(database, seed, notify_settings)
    smtp.fail_next(1)
    report = deliver_due(database, notify_settings)
    assert (report.retried, report.errors) == (1, {nid: "SMTP 451"})
    assert smtp.refused == 1 and smtp.messages == []
    stored = notification(database, nid)
    report = deliver_due(database, notify_settings, now=stored.next_attempt_at)
    assert report.sent == 1
    assert len(smtp.wait_for(1)) == 1
    assert notification(database, nid).attempts == 2


@pytest.mark.parametrize(
    "database", ["sqlite"], indirect=True
)  # the network part, not the database
def test_mail_server_down_is_a_retry_not_a_crash(
    database: Database, notify_settings: Settings, seed: Seed
) -> None:
    host = unique_loopback_host()
    cfg = notify_settings.model_copy(update={"smtp_host": host, "smtp_port": free_port(host)})
    set_crew_channels(database, seed, webhook_url=None, email=CREW_MAIL)
    _, [nid] = queue_ticket(database, seed, cfg)
    _, [later] = queue_ticket(database, seed, cfg, camera_code="ST-0002")
    report = deliver_due(database, cfg)
    # one refused connection is enough: the other email waits, untried and uncounted
    assert (report.retried, report.deferred) == (1, 1)
    assert notification(database, nid).last_error == "SMTP failed (ConnectionRefusedError)"
    assert notification(database, later).attempts == 0


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # network, not database
def test_smtp_login_and_a_refused_password_that_never_shows(
    database: Database, notify_settings: Settings, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpServer(credentials=("camwatch", "smtp-Pa55-right")) as server:
        wrong = notify_settings.model_copy(
            update={
                "smtp_host": server.host,
                "smtp_port": server.port,
                "smtp_username": "camwatch",
                "smtp_password": SecretStr("smtp-Pa55-wrong"),
            }
        )
        set_crew_channels(database, seed, webhook_url=None, email=CREW_MAIL)
        _, [nid] = queue_ticket(database, seed, wrong)
        assert deliver_due(database, wrong).retried == 1
        stored = notification(database, nid)
        assert stored.last_error == "SMTP 535"
        assert server.messages == [] and set(server.logins) == {"camwatch"}

        right = wrong.model_copy(update={"smtp_password": SecretStr("smtp-Pa55-right")})
        assert "smtp-Pa55-right" not in repr(right)
        assert deliver_due(database, right, now=stored.next_attempt_at).sent == 1
        assert len(server.wait_for(1)) == 1
    assert "smtp-Pa55" not in caplog.text
