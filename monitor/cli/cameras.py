"""`camwatch cameras`: import and export of the camera registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli.context import database, operator, settings
from monitor.core.errors import ImportRejected
from monitor.registry import cameras
from monitor.registry.cameras import CameraRules
from monitor.registry.exporter import export_cameras
from monitor.registry.importer import import_cameras
from monitor.registry.sheets import format_of, read_table

app = typer.Typer(help="The camera registry.", no_args_is_help=True)
console = Console(stderr=True)


def print_problems(exc: ImportRejected) -> None:
    """Show every problem of a rejected import."""
    table = Table(
        "row", "column", "problem", title=f"{len(exc.problems)} problem(s), nothing written"
    )
    for p in exc.problems:
        table.add_row(str(p.row), p.column, p.reason)
    console.print(table)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Import cameras from CSV/XLSX: every row is checked first; any problem writes nothing."""
    try:
        format_of(file.name)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    rules = CameraRules.from_settings(settings())
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    try:
        with progress, database().session() as session:
            table = read_table(file.read_bytes(), file.name)
            task = progress.add_task("importing", total=len(table.rows))
            summary = import_cameras(
                session,
                operator(),
                table,
                rules,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except ImportRejected as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.hosts_created} new hosts"
    )


@app.command()
def export(
    file: Path,
    lang: str = typer.Option("vi", help="header language: vi or en"),
    area: str | None = typer.Option(None, help="only cameras in this area (code)"),
) -> None:
    """Export the registry to FILE (.csv or .xlsx); passwords are never exported."""
    try:
        fmt = format_of(file.name)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    with database().session() as session:
        file.write_bytes(export_cameras(session, operator(), fmt, language=lang, area_code=area))
    console.print(f"written {file}")


@app.command("list")
def list_(area: str | None = None, q: str | None = None, limit: int = 50) -> None:
    """List cameras."""
    with database().session() as session:
        rows, total = cameras.list_cameras(session, operator(), area_code=area, q=q, limit=limit)
        table = Table("code", "name", "area", "address", "enabled", title=f"{total} camera(s)")
        for c in rows:
            table.add_row(
                c.code, c.name, c.area.code, f"{c.onvif_host}:{c.onvif_port}", str(c.enabled)
            )
    Console().print(table)
