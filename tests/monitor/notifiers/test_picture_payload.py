"""A picture-fault ticket's message carries the numbers that decided it and the evidence link."""

from __future__ import annotations

from monitor.core.db import Database
from monitor.core.models import CameraStatus
from monitor.core.settings import Settings
from monitor.notifiers.outbox import ticket_payload
from tests.monitor.notifiers.tickets_data import make_ticket
from tests.registry_data import Seed


def test_a_covered_lens_ticket_carries_the_deciding_metrics_and_the_evidence(
    database: Database, settings: Settings, seed: Seed
) -> None:
    with database.session() as s:
        ticket = make_ticket(s, seed)
        status = s.get(CameraStatus, ticket.camera_id)
        status.metrics = {"frame_covered_share": 0.62, "frame_flat_share": 0.7, "frame_noise": 1.1}
        offline = ticket_payload(ticket, "ticket.opened", settings)
        ticket.fault = "covered"
        covered = ticket_payload(ticket, "ticket.opened", settings)
    assert offline["picture"] is None  # not a picture fault: nothing to show
    picture = covered["picture"]
    assert picture["fault"] == "covered"
    assert picture["metrics"] == {"covered_share": 0.62, "flat_share": 0.7}
    assert picture["evidence"].endswith("/api/v1/cameras/ST-0001/thumbnails/last_fault.jpg")
