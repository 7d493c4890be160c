"""`camwatch serve`: the web service."""

from __future__ import annotations

import errno
import socket

import typer

from monitor.cli.context import database, settings


def port_problem(host: str, port: int) -> str:
    """Why the service could not listen on host:port, in words ('' when it can)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"camwatch cannot listen on {host}:{port}: port {port} is already in use "
                    "(another camwatch, or another program).\n"
                    f"Choose another port: CAMWATCH_LISTEN_PORT={port + 1} make run "
                    f"(or camwatch serve --port {port + 1}); "
                    f"see what holds it with: ss -ltnp 'sport = :{port}'"
                )
            if exc.errno == errno.EACCES:
                return (
                    f"camwatch may not listen on port {port} (ports below 1024 need root).\n"
                    "Choose another port with CAMWATCH_LISTEN_PORT or --port."
                )
            return (
                f"camwatch cannot listen on {host}:{port}: {exc.strerror}.\n"
                "Choose another address with CAMWATCH_LISTEN_HOST or --host."
            )
    return ""


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
    host, port = host or cfg.listen_host, port or cfg.listen_port
    problem = port_problem(host, port)
    if problem:  # said plainly before anything starts, instead of a traceback at the end
        typer.echo(problem, err=True)
        raise typer.Exit(1)
    db = database()
    upgrade(db.engine)
    fleet = None
    if demo:
        from monitor.simulator.demo import demo_settings, start_demo

        cfg = demo_settings(cfg)
        fleet = start_demo(db, cfg)
    app = create_app(cfg, db, monitoring=monitoring)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        if fleet is not None:
            fleet.stop_thread()
