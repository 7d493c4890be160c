"""`make run` (serve --demo) shortens the delays so a first ticket comes while someone watches."""

from __future__ import annotations

import pytest

from monitor.core.settings import Settings
from monitor.simulator.demo import demo_settings


def test_demo_raises_a_first_ticket_within_about_two_minutes() -> None:
    production = Settings(environment="test", _env_file=None)
    demo = demo_settings(production)
    # A camera failing at t=0 is down after this many probes, and ticketed this much later.
    down = demo.down_after_failures * demo.default_tcp_interval_seconds
    assert down + demo.ticket_after_down_seconds + demo.scheduler_tick_seconds <= 120
    assert demo.ticket_after_degraded_seconds + demo.default_snapshot_interval_seconds <= 180
    assert production.ticket_after_down_seconds == 900  # the service itself is unchanged


def test_delays_set_in_the_environment_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMWATCH_TICKET_AFTER_DOWN_SECONDS", "300")
    demo = demo_settings(Settings(environment="test", _env_file=None))
    assert demo.ticket_after_down_seconds == 300
    assert demo.default_tcp_interval_seconds == 15
