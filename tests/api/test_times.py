"""Every time in an API answer is ISO 8601 with its offset, on both database backends."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.registry_data import Seed

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def times_in(answer: object) -> list[tuple[str, str]]:
    """Every date-time string of a JSON answer, with what follows its clock part."""
    return [(m.group(0), m.group(3) or "") for m in ISO_TIME.finditer(json.dumps(answer))]


def test_api_times_carry_their_offset(client: TestClient, seed: Seed) -> None:
    admin = auth(seed, "admin")
    window = {"starts_at": "2026-12-01T08:00:00+07:00", "ends_at": "2026-12-01T12:00:00"}
    assert client.post("/api/v1/cameras/ST-0001/maintenance", json=window, headers=admin).is_success
    ticket_id = seed.ticket_ids["st_ticket"]
    paths = [
        "/api/v1/cameras/ST-0001/maintenance",
        "/api/v1/cameras/ST-0001",
        "/api/v1/tickets",
        f"/api/v1/tickets/{ticket_id}",
        "/api/v1/audit",
        "/api/v1/outages",
        "/api/v1/users",
    ]
    seen = 0
    for path in paths:
        answer = client.get(path, headers=admin)
        assert answer.status_code == 200, path
        for text, offset in times_in(answer.json()):
            seen += 1
            assert re.fullmatch(r"Z|[+-]\d{2}:\d{2}", offset), f"{path}: {text}"
    assert seen >= 10
    [stored] = client.get("/api/v1/cameras/ST-0001/maintenance", headers=admin).json()
    assert stored["starts_at"] in ("2026-12-01T01:00:00Z", "2026-12-01T01:00:00+00:00")
