"""Prometheus text exposition: the process's instruments and the fleet's current state."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from monitor.metrics_collector import StateCollector

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
                collector = StateCollector(state.db)
                state.state_collector = collector
    return collector


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text exposition (format 0.0.4): process instruments, then the fleet state."""
    # The state collector renders its own text: client_python's per-sample formatting is too
    # slow for ~180,000 series of a 10,000-camera fleet (see docs/benchmarks.md).
    body = generate_latest(REGISTRY) + state_collector(request).exposition()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
