"""`camwatch users`: accounts and tokens."""

from __future__ import annotations

import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console
from rich.table import Table

from monitor.cli.context import database, operator
from monitor.core.errors import CamwatchError
from monitor.core.models import Role
from monitor.registry import users
from monitor.registry.schemas import UserCreate

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)
console = Console()


@app.command()
def create(
    username: str,
    role: Role = typer.Option(..., help="admin, technician, police or crew"),
    full_name: str = typer.Option("", help="the person's name"),
    crew_id: int | None = typer.Option(None, help="crew of a crew user"),
    password: bool = typer.Option(False, "--password", help="ask for a login password"),
) -> None:
    """Create a user and print its API token once (it cannot be shown again)."""
    secret = None
    if password:
        secret = SecretStr(typer.prompt("password", hide_input=True, confirmation_prompt=True))
    try:
        data = UserCreate(
            username=username, full_name=full_name, role=role, crew_id=crew_id, password=secret
        )
        with database().session() as session:
            user, token = users.create_user(session, operator(), data)
    except (ValidationError, CamwatchError) as exc:
        console.print(f"[red]cannot create user:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"user [bold]{user.username}[/bold] ({user.role.value}) created")
    console.print("API token (shown once, keep it safe):")
    typer.echo(token)


@app.command("list")
def list_users() -> None:
    """List users and their roles."""
    with database().session() as session:
        rows, _ = users.list_users(session, operator(), limit=1000)
        table = Table("username", "name", "role", "crew", "active")
        for u in rows:
            table.add_row(
                u.username, u.full_name, u.role.value, str(u.crew_id or ""), str(u.active)
            )
    console.print(table)


@app.command()
def token(username: str, name: str = typer.Option("cli", help="label of the token")) -> None:
    """Issue another API token for a user and print it once."""
    with database().session() as session:
        user = users.get_user_by_name(session, username)
        typer.echo(users.create_api_token(session, operator(), user.id, name))
