"""Login, sessions, tokens, and the audit trail of logins."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from monitor.core.db import Database
from tests.api.conftest import auth
from tests.registry_data import PASSWORD, Seed


def test_login_answers_a_bearer_token_and_logout_ends_it(client: TestClient, seed: Seed) -> None:
    answer = client.post("/api/v1/auth/login", json={"username": "police1", "password": PASSWORD})
    assert answer.status_code == 200
    assert answer.json()["user"]["role"] == "police"
    assert "camwatch_session" not in answer.cookies  # the API is for bearer tokens only
    token = answer.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).json()["username"] == "police1"
    assert client.get("/api/v1/cameras", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/cameras", headers=headers).status_code == 401


def test_wrong_password_is_refused_and_audited(client: TestClient, seed: Seed) -> None:
    answer = client.post("/api/v1/auth/login", json={"username": "police1", "password": "nope"})
    assert answer.status_code == 401
    client.post("/api/v1/auth/login", json={"username": "police1", "password": PASSWORD})
    log = client.get("/api/v1/audit?username=police1", headers=auth(seed, "admin")).json()
    assert [e["action"] for e in log["items"]][:2] == ["login", "login_failed"]


def test_tokens_are_stored_hashed(client: TestClient, seed: Seed, database: Database) -> None:
    with database.engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(text("SELECT token_hash FROM api_tokens"))]
    assert hashes and all(len(h) == 64 for h in hashes)
    assert all(token not in hashes for token in seed.tokens.values())


def test_deactivated_user_loses_access(client: TestClient, seed: Seed) -> None:
    admin = auth(seed, "admin")
    police_id = seed.user_ids["police"]
    assert client.get("/api/v1/cameras", headers=auth(seed, "police")).status_code == 200
    client.patch(f"/api/v1/users/{police_id}", json={"active": False}, headers=admin)
    assert client.get("/api/v1/cameras", headers=auth(seed, "police")).status_code == 401


def test_new_user_token_is_shown_once_and_works(client: TestClient, seed: Seed) -> None:
    created = client.post(
        "/api/v1/users", json={"username": "cs138", "role": "police"}, headers=auth(seed, "admin")
    ).json()
    assert created["token"].startswith("cw_")
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {created['token']}"})
    assert me.json()["username"] == "cs138"
    listing = client.get("/api/v1/users", headers=auth(seed, "admin")).text
    assert created["token"] not in listing


def test_crew_user_needs_a_crew(client: TestClient, seed: Seed) -> None:
    answer = client.post(
        "/api/v1/users", json={"username": "tho1", "role": "crew"}, headers=auth(seed, "admin")
    )
    assert answer.status_code == 422
