"""Prometheus text exposition: the process's instruments and the fleet's current state."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from monitor.metrics_collector import StateCollector

router = APIRouter(tags=["metrics"])

_lock = threading.Lock()


class _ProcessInstruments(Collector):
    """The process-wide instruments (monitor.metrics, process and GC) of the default registry."""

    def collect(self) -> Iterator[Metric]:
        """Everything the default registry holds."""
        yield from REGISTRY.collect()


def metrics_registry(request: Request) -> CollectorRegistry:
    """The app's registry: process instruments plus a state collector over the app's database."""
    state = request.app.state
    registry = getattr(state, "metrics_registry", None)
    if registry is None:
        with _lock:
            registry = getattr(state, "metrics_registry", None)
            if registry is None:
                # One registry per app, so apps on different databases (tests) never mix.
                registry = CollectorRegistry(auto_describe=False)
                registry.register(_ProcessInstruments())
                registry.register(StateCollector(state.db))
                state.metrics_registry = registry
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text exposition (format 0.0.4)."""
    return Response(generate_latest(metrics_registry(request)), media_type=CONTENT_TYPE_LATEST)
