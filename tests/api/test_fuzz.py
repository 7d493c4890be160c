"""Schemathesis over every OpenAPI operation, as each role: no 5xx, answers match the schema.

A few generated requests per operation and role (bounded for the suite); the longer run is
`python -m bench.api_fuzz` (docs/security.md).
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from bench.api_fuzz import ROLES, fuzz
from monitor.core.db import Database
from tests.registry_data import Seed

# One generated request per operation and role, on each backend (260 requests): 75-100 s each
# on this 2-core machine at a load average of 20 while other work ran; bench.api_fuzz goes longer.
EXAMPLES = 1


def test_no_operation_answers_5xx_or_breaks_its_schema(
    client: TestClient, database: Database, seed: Seed
) -> None:
    app = client.app
    app.state.login_throttle.per_user = app.state.login_throttle.per_address = 10**6
    report = fuzz(app, database, examples=EXAMPLES, seed=0)
    assert report.operations >= 60
    assert report.requests >= report.operations * len(ROLES)
    assert report.failures == []
    assert not [status for status in report.statuses if status >= 500]
