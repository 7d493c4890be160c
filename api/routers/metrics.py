"""Prometheus text exposition: the process's instruments and the fleet's current state."""

from __future__ import annotations

import secrets
import threading

from fastapi import APIRouter, HTTPException, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from monitor.metrics.collector import StateCollector

router = APIRouter(tags=["metrics"])

_lock = threading.Lock()


def state_collector(request: Request) -> StateCollector:
    """The app's collector over its own database (one per app, so test apps never mix)."""
    state = request.app.state
    collector = getattr(state, "state_collector", None)
    if collector is None:
        with _lock:
            collector = getattr(state, "state_collector", None)
            if collector is None:
                collector = StateCollector(state.db, level=state.settings.metrics_area_level)
                state.state_collector = collector
    return collector


def _check_token(request: Request) -> None:
    """With a metrics token configured, only a scraper presenting it may read /metrics."""
    token = request.app.state.settings.metrics_token
    expected = token.get_secret_value() if token is not None else ""
    if not expected:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "metrics token required",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text exposition (format 0.0.4): process instruments, then the fleet state."""
    _check_token(request)
    # The state collector renders its own text: client_python's per-sample formatting is too
    # slow for ~180,000 series of a 10,000-camera fleet (see docs/benchmarks.md).
    fleet = state_collector(request).exposition()  # first: it may count a database error
    return Response(generate_latest(REGISTRY) + fleet, media_type=CONTENT_TYPE_LATEST)
