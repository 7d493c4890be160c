"""`camwatch areas`: the administrative areas."""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from monitor.cli.context import database, operator
from monitor.core.errors import CamwatchError
from monitor.core.models import AreaLevel
from monitor.registry import areas
from monitor.registry.schemas import AreaCreate

app = typer.Typer(
    help="Administrative areas (province, district, commune, village).", no_args_is_help=True
)
console = Console()


@app.command()
def add(
    code: str,
    name: str,
    level: AreaLevel = typer.Option(..., help="province, district, commune or village"),
    parent: str | None = typer.Option(None, help="code of the parent area"),
) -> None:
    """Add an area under its parent."""
    try:
        with database().session() as session:
            areas.create_area(
                session,
                operator(),
                AreaCreate(code=code, name=name, level=level, parent_code=parent),
            )
    except (ValidationError, CamwatchError) as exc:
        console.print(f"[red]cannot add area:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"area {code} added")


@app.command("list")
def list_(parent: str | None = None) -> None:
    """List areas."""
    with database().session() as session:
        rows, _ = areas.list_areas(session, operator(), parent_code=parent, limit=1000)
        table = Table("code", "name", "level")
        for a in rows:
            table.add_row(a.code, a.name, a.level.value)
    console.print(table)
