"""The service's own Prometheus instruments (probe counts, durations, lag, queues, deliveries).

Per-camera values are not here: they come from one custom collector reading current state.
"""

from prometheus_client import Counter, Gauge, Histogram

PROBES_TOTAL = Counter(
    "camwatch_probes_total",
    "Probes run, by kind and outcome (ok or fault code)",
    ["kind", "outcome"],
)
PROBE_DURATION = Histogram(
    "camwatch_probe_duration_seconds",
    "Wall time of one probe, by kind",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SCHEDULER_LAG = Histogram(
    "camwatch_scheduler_lag_seconds",
    "How late probes start after they fall due",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)
RUNNER_QUEUE_DEPTH = Gauge(
    "camwatch_runner_queue_depth", "Probes waiting for a runner slot, by pool", ["pool"]
)
SCHEDULER_LEADER = Gauge(
    "camwatch_scheduler_leader", "1 when this process is the scheduler that acts, else 0"
)
NOTIFICATIONS_TOTAL = Counter(
    "camwatch_notifications_total",
    "Notification delivery attempts, by channel and outcome (sent, retry, dead)",
    ["channel", "outcome"],
)
DATABASE_ERRORS_TOTAL = Counter(
    "camwatch_database_errors_total", "Database errors met by the monitoring loop"
)
EVENT_LOOP_LAG = Histogram(
    "camwatch_event_loop_lag_seconds",
    "How late the monitor's event loop woke up (its own load, not the cameras')",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
MONITOR_SATURATED_TOTAL = Counter(
    "camwatch_monitor_saturated_total",
    "Probe failures not counted against the camera because camwatch itself was saturated, by kind",
    ["kind"],
)
