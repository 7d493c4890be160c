"""`camwatch db`: schema migrations."""

import typer

from monitor.cli.context import database
from monitor.core.migrate import upgrade as upgrade_schema

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Apply the schema migrations up to REVISION (default: the newest)."""
    upgrade_schema(database().engine, revision)
    typer.echo(f"database schema at {revision}")
