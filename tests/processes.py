"""The environment of a real `camwatch` process started by a test, on that test's database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from monitor.core.settings import Settings

CAMWATCH = str(Path(sys.executable).parent / "camwatch")
# How much of a process log a failed test shows.
LOG_TAIL_LINES = 80


def camwatch_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ plus what points a `camwatch` process at `settings`' database and data."""
    return {
        **os.environ,
        "CAMWATCH_ENVIRONMENT": "test",
        "CAMWATCH_DATABASE_URL": settings.resolved_database_url,
        "CAMWATCH_SECRET_KEY": settings.resolved_secret_key,
        "CAMWATCH_DATA_DIR": str(settings.data_dir),
        "CAMWATCH_ALLOWED_PROBE_NETWORKS": "127.0.0.0/8",
        **(extra or {}),
    }


def settings_env(values: Mapping[str, Any]) -> dict[str, str]:
    """Settings field values as the CAMWATCH_* variables that set them (lists comma-separated)."""
    return {
        f"CAMWATCH_{name.upper()}": ",".join(map(str, v)) if isinstance(v, list) else str(v)
        for name, v in values.items()
    }


def stop_processes(procs: Iterable[subprocess.Popen[bytes]], logs: Iterable[Path] = ()) -> None:
    """Stop the processes (killed if not gone in 20 s); print the end of their logs.

    pytest shows what a test printed only when it fails: then the processes' last words are
    in the report, which is all CI keeps of them.
    """
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    for log in logs:
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        print(f"--- {log.name}: last {min(len(lines), LOG_TAIL_LINES)} of {len(lines)} lines")
        print("\n".join(lines[-LOG_TAIL_LINES:]))
