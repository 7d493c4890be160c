"""The `camwatch` command line."""

from __future__ import annotations

import logging

import typer

from monitor.cli import areas, cameras, db, frame, monitoring, serve, simulate, tickets, users
from monitor.core.memory import limit_malloc_arenas

app = typer.Typer(
    help="camwatch: health monitoring of the community security-camera network.",
    no_args_is_help=True,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(areas.app, name="areas")
app.add_typer(cameras.app, name="cameras")
app.add_typer(frame.app, name="frame")
app.add_typer(simulate.app, name="simulate")
app.add_typer(tickets.app, name="tickets")
app.command()(serve.serve)
app.command()(monitoring.scheduler)
app.command()(monitoring.worker)
app.command("run-once")(monitoring.run_once)
app.command()(monitoring.probe)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="debug logging")) -> None:
    """camwatch command line."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # onvif-zeep-async configures logging when imported; ours wins
    )
    limit_malloc_arenas()  # before any worker thread starts
    # APScheduler reports every tick at INFO; only its problems matter here.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
