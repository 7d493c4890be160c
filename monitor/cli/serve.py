"""`camwatch serve`: the web service."""

from __future__ import annotations

import typer

from monitor.cli.context import database, settings


def serve(
    host: str | None = typer.Option(None, help="listen address (default from settings)"),
    port: int | None = typer.Option(None, help="listen port (default from settings)"),
    demo: bool = typer.Option(False, help="also run a simulated camera fleet and register it"),
) -> None:
    """Run the API and web service (migrating the database first)."""
    # Imported here so that other commands start without loading the web stack.
    import uvicorn

    from api.app import create_app
    from monitor.migrate import upgrade

    cfg = settings()
    db = database()
    upgrade(db.engine)
    app = create_app(cfg, db)
    if demo:
        from monitor.demo import prepare_demo

        prepare_demo(app)
    uvicorn.run(app, host=host or cfg.listen_host, port=port or cfg.listen_port, log_level="info")
