"""`camwatch areas`: the administrative areas (province, clusters, communes, villages)."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from monitor.cli.cameras import print_problems
from monitor.cli.context import database, operator
from monitor.core.errors import CamwatchError, ImportRejected
from monitor.core.models import AreaLevel
from monitor.registry import areas
from monitor.registry.area_import import export_areas, import_areas
from monitor.registry.schemas import AreaCreate
from monitor.registry.sheets import format_of, read_table

app = typer.Typer(
    help="Administrative areas: province, optional clusters (cụm), communes/wards/special zones "
    "and villages/residential groups.",
    no_args_is_help=True,
)
console = Console()


@app.command()
def add(
    code: str,
    name: str,
    level: AreaLevel = typer.Option(..., help="province, cluster, commune or village"),
    kind: str = typer.Option(
        "",
        help="unit kind: commune, ward, special_zone, village, residential_group, cluster, "
        "former_district",
    ),
    parent: str | None = typer.Option(None, help="code of the parent area"),
) -> None:
    """Add an area under its parent."""
    try:
        with database().session() as session:
            areas.create_area(
                session,
                operator(),
                AreaCreate(code=code, name=name, level=level, kind=kind, parent_code=parent),
            )
    except (ValidationError, CamwatchError) as exc:
        console.print(f"[red]cannot add area:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"area {code} added")


@app.command("list")
def list_(
    parent: str | None = None,
    level: AreaLevel | None = None,
    retired: bool = typer.Option(False, help="also units merged into others"),
) -> None:
    """List areas."""
    with database().session() as session:
        rows, _ = areas.list_areas(
            session,
            operator(),
            parent_code=parent,
            level=level,
            include_retired=retired,
            limit=100_000,
        )
        table = Table("code", "name", "level", "kind", "merged into")
        by_id = {a.id: a for a in rows}
        for a in rows:
            successor = by_id.get(a.superseded_by_id) if a.superseded_by_id else None
            table.add_row(
                a.code,
                a.name,
                a.level.value,
                a.kind,
                successor.code if successor else ("?" if a.superseded_by_id else ""),
            )
    console.print(table)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Import areas from CSV/XLSX (a `replaces` column records mergers); any problem writes
    nothing."""
    try:
        format_of(file.name)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    try:
        with database().session() as session:
            summary = import_areas(session, operator(), read_table(file.read_bytes(), file.name))
    except ImportRejected as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {len(summary.retired)} merged into new units, "
        f"{summary.moved_cameras} cameras moved"
    )


@app.command()
def export(
    file: Path,
    lang: str = typer.Option("vi", help="header language: vi or en"),
    retired: bool = typer.Option(False, help="also units merged into others (read-only list)"),
) -> None:
    """Export the areas to FILE (.csv or .xlsx) in the columns the import reads."""
    try:
        fmt = format_of(file.name)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    with database().session() as session:
        file.write_bytes(export_areas(session, operator(), fmt, language=lang, retired=retired))
    console.print(f"written {file}")
