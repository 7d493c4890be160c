"""`camwatch tickets` as an operator uses it."""

from __future__ import annotations

from sqlalchemy import select

from monitor.core.db import Database
from monitor.core.models import Notification, Ticket, TicketState
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules
from tests.monitor.cli.test_registry_commands import _run
from tests.registry_data import seed_registry, seed_ticket


def test_list_show_move_and_comment(settings: Settings, database: Database) -> None:
    seed_registry(database, CameraRules.from_settings(settings))
    ticket_id = seed_ticket(database, settings, "ST-0001")
    listing = _run(settings, "tickets", "list", "--open")
    assert listing.returncode == 0, listing.stderr
    assert "ST-0001" in listing.stdout and "assigned" in listing.stdout
    moved = _run(
        settings, "tickets", "state", str(ticket_id), "in_progress", "--comment", "đang đi"
    )
    assert moved.returncode == 0 and "in_progress" in moved.stdout
    wrong = _run(settings, "tickets", "state", str(ticket_id), "verified")
    assert wrong.returncode == 1 and "may not" in wrong.stdout
    assert _run(settings, "tickets", "comment", str(ticket_id), "thay dây nguồn").returncode == 0
    shown = _run(settings, "tickets", "show", str(ticket_id))
    assert "thay dây nguồn" in shown.stdout and "đang đi" in shown.stdout
    with database.session() as s:
        assert s.get(Ticket, ticket_id).state == TicketState.IN_PROGRESS


def test_a_comment_from_the_terminal_is_sent_to_the_crew(
    settings: Settings, database: Database
) -> None:
    seed_registry(database, CameraRules.from_settings(settings))
    ticket_id = seed_ticket(database, settings, "ST-0001")
    with database.session() as s:
        s.get(Ticket, ticket_id).crew.email = "doi-sua-chua@example.test"
    assert _run(settings, "tickets", "comment", str(ticket_id), "mang thang dây").returncode == 0
    with database.session() as s:
        sent = s.scalars(select(Notification).where(Notification.ticket_id == ticket_id)).all()
        told = [(n.channel, n.event, n.payload["comment"]) for n in sent]
    assert told == [("email", "ticket.comment", "mang thang dây")]
