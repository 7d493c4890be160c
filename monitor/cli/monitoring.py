"""`camwatch scheduler`, `camwatch run-once` and `camwatch probe`: watching cameras."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli.context import database, operator, settings

console = Console()


def scheduler(
    metrics_port: int = typer.Option(0, help="serve this process's /metrics on this port (0: off)"),
) -> None:
    """Run only the scheduler and runner (no web service); one of several acts at a time."""
    from monitor.core.migrate import upgrade
    from monitor.monitoring.scheduler import run_forever

    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=settings().listen_host)
    upgrade(database().engine)
    try:
        asyncio.run(run_forever(database(), settings()))
    except KeyboardInterrupt:
        console.print("scheduler stopped")


def worker(
    area: list[str] = typer.Option(
        None, "--area", "-a", help="routing area code, a cluster or commune (repeat)"
    ),
    concurrency: int = typer.Option(16, help="probes run at once by this worker"),
) -> None:
    """Run a Celery worker for the probes of some areas (with CAMWATCH_RUNNER_MODE=celery)."""
    from monitor.monitoring.distributed import run_worker

    run_worker(settings(), area or [], concurrency)


def run_once(
    area: str | None = typer.Option(None, help="only cameras in this area (code)"),
) -> None:
    """Probe every camera (or one area) once now, with a progress bar and a summary."""
    from monitor.core.models import CameraStatus, HealthState
    from monitor.monitoring.run_once import count_jobs
    from monitor.monitoring.run_once import run_once as run_all

    db, cfg = database(), settings()
    total = count_jobs(db, cfg, area)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task("probing", total=total)
        outcomes = asyncio.run(
            run_all(db, cfg, area_code=area, progress=lambda _o: progress.advance(task))
        )
    faults: Counter[str] = Counter()
    for outcome in outcomes:
        faults.update(str(f) for f in outcome.result.faults)
    with db.session() as session:
        states = Counter(s.state for s in session.query(CameraStatus).all())
    table = Table("state", "cameras", title=f"{len(outcomes)} probes")
    for state in HealthState:
        table.add_row(state.value, str(states.get(state, 0)))
    console.print(table)
    if faults:
        fault_table = Table("fault", "probes")
        for code, count in faults.most_common():
            fault_table.add_row(code, str(count))
        console.print(fault_table)


def probe(
    camera_code: str = typer.Argument(..., metavar="CAMERA_CODE"),
    kind: list[str] = typer.Option(None, "--kind", "-k", help="tcp, onvif, rtsp, snapshot"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Run probes of one camera now and print what they find (nothing is stored)."""
    from monitor.core.crypto import SecretBox
    from monitor.core.errors import NotFound
    from monitor.registry.cameras import get_camera, probe_target
    from probes.frame import assess
    from probes.registry import PROBE_KINDS, Probers

    cfg = settings()
    kinds = kind or ["tcp", "onvif", "rtsp"]
    unknown = [k for k in kinds if k not in PROBE_KINDS]
    if unknown:
        console.print(f"[red]unknown kind {', '.join(unknown)}[/red]; known: {PROBE_KINDS}")
        raise typer.Exit(2)
    try:
        with database().session() as session:
            camera = get_camera(session, operator(), camera_code)
            target = probe_target(camera, SecretBox(cfg.resolved_secret_key))
    except NotFound as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc

    async def run() -> list[dict[str, Any]]:
        answers = []
        async with Probers(cfg.probe_config()) as probers:
            for name in kinds:
                result = await probers.run(name, target, timeout=cfg.probe_timeout_seconds)
                answer = result.to_dict()
                if result.frame is not None:
                    answer["picture"] = assess(result.frame).to_dict()
                answers.append(answer)
        return answers

    answers = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps({"camera": camera_code, "results": answers}, ensure_ascii=False))
        return
    table = Table("kind", "ok", "faults", "reason", "seconds", title=camera_code)
    for a in answers:
        picture = a.get("picture") or {}
        faults = [str(f) for f in (*a["faults"], *picture.get("faults", []))]
        ok = "✔" if a["ok"] and not faults else "✘"
        reason = str(a["reason"])[:80]
        table.add_row(str(a["kind"]), ok, ", ".join(faults), reason, str(a["duration_seconds"]))
    console.print(table)
