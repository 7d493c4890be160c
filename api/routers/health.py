"""Liveness and readiness."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database answers and takes the monitor's writes; 503 with the reason otherwise."""
    database = "ok" if request.app.state.db.ping() else "unreachable"
    service = getattr(request.app.state, "monitor", None)
    storage = service.storage_state() if service is not None else None
    body: dict[str, object] = {"status": "ready", "database": database}
    if storage is not None:
        # Probing pauses while results cannot be stored; nothing measured is dropped.
        body["monitoring"] = {"state": "paused", **storage}
    if database != "ok" or (storage is not None and storage["problem"] != "storing kept results"):
        body["status"] = "not ready"
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
