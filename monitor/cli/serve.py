"""`camwatch serve`: the web service."""

from __future__ import annotations

import typer

from monitor.cli.context import database, settings


def serve(
    host: str | None = typer.Option(None, help="listen address (default from settings)"),
    port: int | None = typer.Option(None, help="listen port (default from settings)"),
    demo: bool = typer.Option(False, help="also run a simulated camera fleet and register it"),
    monitoring: bool = typer.Option(True, help="run the scheduler and probes in this process"),
) -> None:
    """Run the API and web service (migrating the database first)."""
    # Imported here so that other commands start without loading the web stack.
    import uvicorn

    from api.app import create_app
    from monitor.core.migrate import upgrade

    cfg = settings()
    db = database()
    upgrade(db.engine)
    fleet = None
    if demo:
        from monitor.simulator.demo import start_demo

        fleet = start_demo(db, cfg)
    app = create_app(cfg, db, monitoring=monitoring)
    try:
        uvicorn.run(
            app, host=host or cfg.listen_host, port=port or cfg.listen_port, log_level="info"
        )
    finally:
        if fleet is not None:
            fleet.stop_thread()
