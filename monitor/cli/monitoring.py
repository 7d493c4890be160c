"""`camwatch scheduler`, `camwatch run-once` and `camwatch probe`: watching cameras."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli.context import database, operator, settings
from monitor.core.localtime import format_local, zone_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from monitor.core.models import CameraStatus

console = Console()

NO_ADDRESS = {
    "rtsp": "no RTSP URL in the registry and none announced over ONVIF",
    "snapshot": "no snapshot URL in the registry and none announced over ONVIF",
}


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


RUN_ONCE_LOG = "run-once.log"


@contextmanager
def _quiet_console_log(path: Path) -> Iterator[None]:
    """While the progress bar runs: log lines go to a file, the terminal shows only warnings."""
    root = logging.getLogger()
    streams = [h for h in root.handlers if type(h) is logging.StreamHandler]
    levels = [h.level for h in streams]
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, mode="w", encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_file.setLevel(logging.INFO)
    for handler in streams:
        handler.setLevel(max(handler.level, logging.WARNING))
    root.addHandler(to_file)
    try:
        yield
    finally:
        root.removeHandler(to_file)
        to_file.close()
        for handler, level in zip(streams, levels, strict=True):
            handler.setLevel(level)


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
    log_path = Path(cfg.data_dir) / RUN_ONCE_LOG
    with _quiet_console_log(log_path), progress:
        task = progress.add_task("probing", total=total)
        outcomes = asyncio.run(
            run_all(db, cfg, area_code=area, progress=lambda _o: progress.advance(task))
        )
    faults: Counter[str] = Counter()
    for outcome in outcomes:
        faults.update(str(f) for f in outcome.result.faults)
    probed = {o.job.camera_id for o in outcomes}
    with db.session() as session:
        statuses = [s for s in session.query(CameraStatus).all() if s.camera_id in probed]
        states = Counter(s.state for s in statuses)
        down = _down_cameras(session, [s for s in statuses if s.state == HealthState.DOWN])
    table = Table("state", "cameras", title=f"{len(outcomes)} probes of {len(probed)} cameras")
    for state in HealthState:
        table.add_row(state.value, str(states.get(state, 0)))
    console.print(table)
    if faults:
        fault_table = Table("fault", "probes")
        for code, count in faults.most_common():
            fault_table.add_row(code, str(count))
        console.print(fault_table)
    if down:
        down_table = Table(
            "camera",
            "name",
            "area",
            "faults",
            f"down since ({zone_label()})",
            title=f"{len(down)} camera(s) down",
        )
        for row in down:
            down_table.add_row(*row)
        console.print(down_table)
    else:
        console.print("no camera is down")
    console.print(f"log of this run: {log_path}")


def _down_cameras(session: Session, statuses: list[CameraStatus]) -> list[tuple[str, ...]]:
    """Rows (code, name, area, faults, since) of the down cameras, by code."""
    from monitor.core.models import Camera

    rows = []
    for status in statuses:
        camera = session.get(Camera, status.camera_id)
        if camera is not None:
            rows.append(
                (
                    camera.code,
                    camera.name,
                    camera.area.name,
                    ", ".join(status.faults or []),
                    format_local(status.since),
                )
            )
    return sorted(rows)


def probe(
    camera_code: str = typer.Argument(..., metavar="CAMERA_CODE"),
    kind: list[str] = typer.Option(None, "--kind", "-k", help="tcp, onvif, rtsp, snapshot"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Run probes of one camera now and print what they find (nothing is stored)."""
    from monitor.core.crypto import SecretBox
    from monitor.core.errors import NotFound
    from monitor.core.models import CameraStatus
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
            status = session.get(CameraStatus, camera.id)
            known = (status.identity if status else None) or {}
            # As the runner does: the addresses the camera announced over ONVIF, unless the
            # registry names them.
            target = replace(
                target,
                rtsp_url=target.rtsp_url or known.get("stream_uri"),
                snapshot_url=target.snapshot_url or known.get("snapshot_uri"),
            )
    except NotFound as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc

    async def run() -> list[dict[str, Any]]:
        nonlocal target
        answers: list[dict[str, Any]] = []
        async with Probers(cfg.probe_config()) as probers:
            for name in kinds:
                address = {"rtsp": target.rtsp_url, "snapshot": target.snapshot_url}
                if name in address and not address[name]:
                    # Not a fault of the camera: there is nothing to probe that way.
                    answers.append({"kind": name, "skipped": NO_ADDRESS[name]})
                    continue
                result = await probers.run(name, target, timeout=cfg.probe_timeout_seconds)
                if name == "onvif" and result.details:
                    target = replace(
                        target,
                        rtsp_url=target.rtsp_url or result.details.get("stream_uri"),
                        snapshot_url=target.snapshot_url or result.details.get("snapshot_uri"),
                    )
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
        if "skipped" in a:
            table.add_row(str(a["kind"]), "–", "", f"skipped: {a['skipped']}", "")
            continue
        picture = a.get("picture") or {}
        faults = [str(f) for f in (*a["faults"], *picture.get("faults", []))]
        ok = "✔" if a["ok"] and not faults else "✘"
        reason = str(a["reason"])[:80]
        table.add_row(str(a["kind"]), ok, ", ".join(faults), reason, str(a["duration_seconds"]))
    console.print(table)
