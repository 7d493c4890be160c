"""Fuzz every OpenAPI operation with schemathesis, authenticated as each role.

Run: .venv/bin/python -m bench.api_fuzz [--examples 50] [--postgresql]

Checks per request: no 5xx answer, and the answer matches the operation's documented response
schema. The test suite runs the same driver with a few examples per operation
(tests/api/test_fuzz.py); results of the longer run are in docs/security.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from monitor.core.db import Database
from monitor.core.models import Role, TokenKind, User
from monitor.registry.users import issue_token

ROLES = (Role.POLICE, Role.CREW, Role.TECHNICIAN, Role.ADMIN)
CHECKS = [not_a_server_error, response_schema_conformance]
# Requests that end the fuzzer's own credentials are still sent, with a fresh token each time.


@dataclass
class FuzzReport:
    """What a fuzzing run did and found."""

    operations: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Tokens:
    """An API token per role, made again after the fuzzer lost it (logout, password, user off).

    The fuzzed admin may also change a user's role, crew or active flag: each is put back first.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._tokens: dict[Role, str] = {}
        with db.session() as session:
            users = session.scalars(select(User).order_by(User.id)).all()
            self._users = {
                role: next((u.id, u.crew_id) for u in users if u.role == role) for role in ROLES
            }

    def __call__(self, role: Role) -> str:
        if role not in self._tokens:
            user_id, crew_id = self._users[role]
            with self._db.session() as session:
                user = session.get(User, user_id)
                assert user is not None, f"the {role.value} user was deleted"
                user.active, user.role, user.crew_id = True, role, crew_id
                self._tokens[role] = issue_token(session, user, TokenKind.API, name="fuzz")
        return self._tokens[role]

    def lost(self, role: Role) -> None:
        """The token was answered 401."""
        self._tokens.pop(role, None)


def _send(client: TestClient, case: Any, headers: dict[str, str]) -> httpx.Response:
    """Send a generated case through one long-lived TestClient (schemathesis's own ASGI client
    starts an event-loop thread per request: 0.13 s each here)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    kwargs.pop("cookies", None)
    if isinstance(kwargs.get("data"), str | bytes):
        kwargs["content"] = kwargs.pop("data")
    return client.request(**kwargs)


def _runner(
    client,
    operation,
    strategy,
    role: Role,
    examples: int,
    seed: int | None,
    token_for,
    report,
    failures,
):
    """A hypothesis test sending generated requests of one operation as one role."""
    name = f"{operation.method.upper()} {operation.path} as {role.value}"

    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=strategy)
    def run(case) -> None:
        headers = {"Authorization": f"Bearer {token_for(role)}"}
        response = _send(client, case, headers)
        report.requests += 1
        report.statuses[response.status_code] += 1
        if response.status_code == 401:
            token_for.lost(role)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, BaseExceptionGroup) as exc:  # how schemathesis reports checks
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            for failure in found:
                text = " ".join(str(failure).split())[:300]
                failures.add(f"{name}: {response.status_code} {type(failure).__name__}: {text}")

    return run


def fuzz(app: FastAPI, db: Database, *, examples: int, seed: int | None = 0) -> FuzzReport:
    """Send `examples` generated requests per operation and role; collect every failed check."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    report = FuzzReport()
    token_for = _Tokens(db)
    started = time.perf_counter()
    # A 500 comes back as a response (and fails `not_a_server_error`) instead of an exception.
    client = TestClient(app, raise_server_exceptions=False)
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        strategy = operation.as_strategy()
        for role in ROLES:
            failures: set[str] = set()
            _runner(
                client, operation, strategy, role, examples, seed, token_for, report, failures
            )()
            report.failures.extend(sorted(failures))
    report.seconds = time.perf_counter() - started
    return report


def main() -> None:
    """Fuzz a registry on a temporary SQLite database (or the test PostgreSQL) and print it."""
    from api.app import create_app
    from monitor.core.migrate import upgrade
    from monitor.core.settings import Settings
    from monitor.registry.cameras import CameraRules
    from tests.registry_data import seed_registry, seed_ticket

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None, help="fixed seed (default: random)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'fuzz.db'}")
        upgrade(db.engine)
        settings = Settings(
            environment="test",
            data_dir=Path(tmp),
            database_url=db.url,
            secret_key="f" * 40,
            allowed_probe_networks=["127.0.0.0/8"],
            login_failures_per_user=10**6,
            login_failures_per_address=10**6,
            _env_file=None,
        )
        seed_registry(db, CameraRules.from_settings(settings))
        seed_ticket(db, settings, "ST-0001")
        report = fuzz(create_app(settings, db), db, examples=args.examples, seed=args.seed)
        db.dispose()
    print(
        f"operations: {report.operations}, roles: {len(ROLES)}, examples/op/role: {args.examples}"
    )
    print(f"requests: {report.requests} in {report.seconds:.1f} s")
    print("statuses: " + ", ".join(f"{k}×{v}" for k, v in sorted(report.statuses.items())))
    print(f"failures: {len(report.failures)}")
    for line in report.failures:
        print("  " + line)


if __name__ == "__main__":
    main()
