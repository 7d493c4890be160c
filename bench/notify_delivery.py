"""Benchmark: queueing crew notifications and delivering them (webhook and email) on loopback.

Run: .venv/bin/python -m bench.notify_delivery [--messages 500]

For SQLite and PostgreSQL: `--messages` tickets are queued (one `enqueue_ticket_event` per ticket,
each in its own transaction, as the ticket workflow does), then `deliver_due` sends them to a real
HTTP receiver and a real aiosmtpd server. The receivers run in a child process, so the CPU figure is
the sender's alone (payload, signature / MIME with two JPEG thumbnails, database bookkeeping).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import create_engine, text

from monitor.core.db import Database
from monitor.core.migrate import upgrade
from monitor.core.models import Ticket
from monitor.core.settings import Settings
from monitor.notifiers.delivery import deliver_due
from monitor.notifiers.outbox import enqueue_ticket_event
from monitor.registry.cameras import CameraRules
from tests.monitor.notifiers.tickets_data import make_ticket, set_crew_channels
from tests.registry_data import seed_registry

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _peers(conn: Connection) -> None:
    """Child process: a webhook receiver and an SMTP server until told to stop."""
    from tests.peers.smtp_server import SmtpServer
    from tests.peers.webhook_receiver import WebhookReceiver

    with WebhookReceiver("127.88.0.1") as hook, SmtpServer("127.88.0.2") as smtp:
        conn.send((hook.url, smtp.host, smtp.port))
        conn.recv()
        conn.send((len(hook.requests), len(smtp.messages)))


def _phase(db: Database, settings: Settings, count: int) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    sent = 0
    while True:
        report = deliver_due(db, settings, limit=count)
        sent += report.sent
        if report.attempted == 0 or report.retried or report.dead:
            break
    return time.perf_counter() - wall, time.process_time() - cpu, sent


def run(messages: int) -> list[tuple[str, str, int, float, float]]:
    """Queue and deliver `messages` per channel on both backends; timings per step."""
    parent, child = mp.Pipe()
    peers = mp.get_context("spawn").Process(target=_peers, args=(child,), daemon=True)
    peers.start()
    hook_url, smtp_host, smtp_port = parent.recv()
    results = []
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for backend, url in [
                ("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"),
                ("PostgreSQL", f"{POSTGRES}?options=-csearch_path%3D{schema}"),
            ]:
                db = Database(url)
                upgrade(db.engine)
                settings = Settings(
                    environment="test",
                    data_dir=Path(tmp),
                    database_url=url,
                    secret_key="b" * 40,
                    allowed_probe_networks=["127.0.0.0/8"],
                    webhook_allowed_hosts=["127.0.0.0/8"],
                    smtp_host=smtp_host,
                    smtp_port=smtp_port,
                    _env_file=None,
                )
                seed = seed_registry(db, CameraRules.from_settings(settings))
                set_crew_channels(db, seed, webhook_url=hook_url, email="crew@bench.test")
                with db.session() as s:
                    ids = [make_ticket(s, seed).id for _ in range(messages)]
                wall, cpu = time.perf_counter(), time.process_time()
                for ticket_id in ids:
                    with db.session() as s:
                        ticket = s.get(Ticket, ticket_id)
                        assert ticket is not None
                        enqueue_ticket_event(s, ticket, "ticket.opened", settings)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                results.append((backend, "queue (webhook + email per ticket)", messages, wall, cpu))
                # both channels are due together; deliver_due sends in id order, so measure
                # each channel alone by hiding the other's messages
                for channel, other in (("webhook", "email"), ("email", "webhook")):
                    with db.engine.begin() as conn:
                        conn.execute(
                            text(
                                "UPDATE notifications SET next_attempt_at = :t "
                                "WHERE channel = :c AND state = 'pending'"
                            ),
                            {"t": "2100-01-01 00:00:00+00", "c": other},
                        )
                        conn.execute(
                            text(
                                "UPDATE notifications SET next_attempt_at = :t "
                                "WHERE channel = :c AND state = 'pending'"
                            ),
                            {"t": "2000-01-01 00:00:00+00", "c": channel},
                        )
                    wall, cpu, sent = _phase(db, settings, messages)
                    results.append((backend, f"deliver {channel}", sent, wall, cpu))
                db.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
        parent.send("stop")
        received = parent.recv()
        peers.join(timeout=10)
    print(f"receivers got {received[0]} webhook requests and {received[1]} emails\n")
    return results


def main() -> None:
    """Print the results as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    results = run(args.messages)
    print("| database | step | messages | wall s | CPU s (sender) | messages/s (wall) |")
    print("|---|---|---|---|---|---|")
    for backend, step, count, wall, cpu in results:
        print(f"| {backend} | {step} | {count} | {wall:.2f} | {cpu:.2f} | {count / wall:.0f} |")


if __name__ == "__main__":
    main()
