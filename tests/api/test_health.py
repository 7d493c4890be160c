"""Liveness, readiness and the OpenAPI page."""

from fastapi.testclient import TestClient

from api.app import create_app
from monitor.core.db import Database
from monitor.core.settings import Settings


def test_healthz_and_readyz_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


def test_readyz_reports_unreachable_database(settings: Settings) -> None:
    broken = Database("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1")
    with TestClient(create_app(settings, broken)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503


def test_openapi_page_lists_the_registry_routes(client: TestClient) -> None:
    assert "swagger" in client.get("/docs").text.lower()
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cameras",
        "/api/v1/areas",
        "/api/v1/hosts",
        "/api/v1/crews",
        "/api/v1/users",
        "/api/v1/cameras/import",
        "/api/v1/audit",
    ):
        assert path in paths
