"""`camwatch simulate`: run a fleet of virtual cameras on loopback for the demo and load tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from monitor.simulator import SimCamera, SimulatedFleet, build_fleet, write_inventory_csv

app = typer.Typer(
    help="Run simulated cameras (ONVIF, snapshots, RTSP subset) on 127.x.y.z addresses.",
    invoke_without_command=True,
)
console = Console()
logger = logging.getLogger(__name__)


def camera_table(cameras: list[SimCamera], rtsp: bool) -> Table:
    """A rich table of what runs where (never the passwords)."""
    table = Table(
        "code",
        "address",
        "onvif",
        "rtsp",
        "picture",
        "faults",
        "vendor / model",
        title=f"{len(cameras)} simulated cameras",
    )
    for cam in cameras:
        table.add_row(
            cam.code,
            cam.address,
            str(cam.onvif_port),
            str(cam.rtsp_port) if rtsp and cam.rtsp else "-",
            str(cam.picture),
            ", ".join(cam.faults.labels()) or "-",
            f"{cam.identity.manufacturer} {cam.identity.model}",
        )
    return table


def raise_fd_limit(needed: int) -> None:
    """Lift the soft open-files limit towards the hard one when a big fleet needs it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        logger.info("open-files limit raised from %d to %d", soft, target)


async def _serve(fleet: SimulatedFleet, duration: float | None) -> None:
    """Run the fleet until Ctrl-C or SIGTERM, or for `duration` seconds."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM (systemd, a parent process) stops as cleanly as Ctrl-C: listeners and encoders closed.
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        async with fleet:
            console.print(camera_table(list(fleet.cameras.values()), fleet.rtsp_enabled))
            console.print("[green]fleet running[/green] - Ctrl-C stops it")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


@app.callback()
def run(
    count: int = typer.Option(20, "--count", "-n", min=1, help="number of cameras"),
    base_address: str = typer.Option("127.20.0.1", help="first camera address (127.0.0.0/8)"),
    port: int = typer.Option(8000, help="ONVIF/snapshot port on every camera address"),
    rtsp_port: int = typer.Option(8554, help="RTSP port on every RTSP camera address"),
    rtsp: bool = typer.Option(True, "--rtsp/--no-rtsp", help="serve real RTSP for the subset"),
    rtsp_count: int | None = typer.Option(None, min=0, help="size of the RTSP subset (max 8)"),
    seed: int = typer.Option(0, help="fleet seed (identities, faults, scenes)"),
    healthy: bool = typer.Option(False, help="no faults outside the RTSP subset (load tests)"),
    size: str = typer.Option(
        "640x360", help="picture size WIDTHxHEIGHT (e.g. 1280x720, 1920x1080)"
    ),
    inventory: Path | None = typer.Option(None, help="write the import CSV here"),
    duration: float | None = typer.Option(None, help="stop after this many seconds"),
) -> None:
    """Start the simulated fleet and keep it running until Ctrl-C."""
    if rtsp_count is not None and rtsp_count > 8:
        raise typer.BadParameter("at most 8 RTSP streams (each costs an ffmpeg encoder)")
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError as exc:
        raise typer.BadParameter(f"--size must be WIDTHxHEIGHT, not {size!r}") from exc
    if not (64 <= width <= 3840 and 64 <= height <= 2160):
        raise typer.BadParameter("--size must lie between 64x64 and 3840x2160")
    try:
        cameras = build_fleet(
            count,
            seed,
            base_address=base_address,
            onvif_port=port,
            rtsp_port=rtsp_port,
            rtsp_count=rtsp_count,
            faults=not healthy,
            width=width,
            height=height,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if inventory is not None:
        write_inventory_csv(cameras, inventory)
        console.print(f"inventory written to {inventory} ({len(cameras)} cameras)")
    # One listening socket per camera, plus its clients' connections.
    raise_fd_limit(4 * count + 256)
    fleet = SimulatedFleet(cameras, rtsp=rtsp)
    try:
        asyncio.run(_serve(fleet, duration))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        console.print(f"[red]cannot start the fleet:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print("fleet stopped")
