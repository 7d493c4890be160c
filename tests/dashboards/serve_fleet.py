"""The service for the Prometheus acceptance test, in its own process, with runner-like activity.

Run: python -m tests.dashboards.serve_fleet DATABASE_URL HOST PORT

The process-wide instruments move as the runner and the notifier move them (probes of each kind and
outcome, durations, scheduler lag, queue depth, deliveries), so rate and quantile panels have data;
in its own process this never leaks into other tests' counters.
"""

from __future__ import annotations

import sys
import tempfile
import threading

import uvicorn

from api.app import create_app
from monitor.core.db import Database
from monitor.core.instruments import (
    NOTIFICATIONS_TOTAL,
    PROBE_DURATION,
    PROBES_TOTAL,
    RUNNER_QUEUE_DEPTH,
    SCHEDULER_LAG,
    SCHEDULER_LEADER,
)
from monitor.core.settings import Settings

PROBES = (
    ("tcp", "ok", 0.004),
    ("tcp", "offline", 3.0),
    ("onvif", "ok", 0.08),
    ("rtsp", "ok", 0.9),
    ("rtsp", "stream_error", 10.0),
)


def activity(stop: threading.Event) -> None:
    """Move the instruments every 0.2 s; one probe in ten starts 200 s late."""
    n = 0
    SCHEDULER_LEADER.set(1)
    while not stop.is_set():
        n += 1
        for kind, outcome, seconds in PROBES:
            PROBES_TOTAL.labels(kind, outcome).inc()
            PROBE_DURATION.labels(kind).observe(seconds)
        SCHEDULER_LAG.observe(0.4 if n % 10 else 200.0)
        RUNNER_QUEUE_DEPTH.labels("cheap").set(n % 7)
        RUNNER_QUEUE_DEPTH.labels("frame").set(n % 3)
        NOTIFICATIONS_TOTAL.labels("webhook", "sent").inc()
        if n % 5 == 0:
            NOTIFICATIONS_TOTAL.labels("webhook", "dead").inc()
        stop.wait(0.2)


def main() -> None:
    """Serve the app on HOST:PORT over DATABASE_URL until terminated."""
    url, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = Database(url)
    settings = Settings(
        environment="test",
        data_dir=tempfile.mkdtemp(),
        database_url=url,
        secret_key="k" * 40,
        _env_file=None,
    )
    stop = threading.Event()
    threading.Thread(target=activity, args=(stop,), daemon=True).start()
    try:
        uvicorn.run(create_app(settings, db), host=host, port=port, log_level="warning")
    finally:
        stop.set()
        db.dispose()


if __name__ == "__main__":
    main()
