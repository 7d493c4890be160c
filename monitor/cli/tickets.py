"""`camwatch tickets`: list, show, move and comment on fault tickets."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from monitor.cli.context import database, operator, settings
from monitor.core.errors import CamwatchError
from monitor.core.models import TicketState

app = typer.Typer(help="Fault tickets of the repair crews.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_(
    state: TicketState | None = typer.Option(None, help="only tickets in this state"),
    open_only: bool = typer.Option(False, "--open", help="only tickets not closed"),
    area: str | None = typer.Option(None, help="cluster, commune or village code"),
    camera: str | None = typer.Option(None, help="camera code"),
    limit: int = 50,
) -> None:
    """List tickets, newest first."""
    from monitor.outages import tickets

    with database().session() as session:
        rows, total = tickets.list_tickets(
            session,
            operator(),
            state=state,
            open_only=open_only,
            area_code=area,
            camera_code=camera,
            limit=limit,
        )
        table = Table(
            "id",
            "state",
            "prio",
            "camera",
            "fault",
            "crew",
            "opened",
            "due",
            title=f"{total} ticket(s)",
        )
        for t in rows:
            table.add_row(
                str(t.id),
                t.state.value,
                str(t.priority),
                t.camera.code if t.camera else "(group)",
                t.fault,
                t.crew.name if t.crew else "",
                f"{t.opened_at:%Y-%m-%d %H:%M}",
                f"{t.due_at:%Y-%m-%d %H:%M}",
            )
    console.print(table)


@app.command()
def show(ticket_id: int) -> None:
    """Show one ticket and its history."""
    from monitor.outages import tickets

    try:
        with database().session() as session:
            t = tickets.get_ticket(session, operator(), ticket_id)
            console.print(f"[bold]#{t.id} {t.title}[/bold]")
            console.print(
                f"state {t.state.value}, priority {t.priority}, due {t.due_at:%Y-%m-%d %H:%M}"
            )
            console.print(f"faults: {', '.join(t.incident.faults or [])}")
            table = Table("at", "who", "action", "from", "to", "comment")
            for e in t.events:
                table.add_row(
                    f"{e.at:%Y-%m-%d %H:%M:%S}",
                    e.username,
                    e.action,
                    e.from_state or "",
                    e.to_state or "",
                    e.comment,
                )
            console.print(table)
    except CamwatchError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


@app.command()
def state(
    ticket_id: int,
    to: TicketState = typer.Argument(..., help="new state"),
    comment: str = typer.Option("", help="why"),
    crew_id: int | None = typer.Option(None, help="crew, when assigning"),
) -> None:
    """Move a ticket to another state."""
    from monitor.outages import tickets

    try:
        with database().session() as session:
            t = tickets.change_state(
                session, operator(), ticket_id, to, comment, settings=settings(), crew_id=crew_id
            )
            console.print(f"ticket #{t.id} is now {t.state.value}")
    except CamwatchError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


@app.command()
def comment(ticket_id: int, text: str) -> None:
    """Add a comment to a ticket."""
    from monitor.outages import tickets

    try:
        with database().session() as session:
            tickets.add_comment(session, operator(), ticket_id, text, settings=settings())
    except CamwatchError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print("comment added")
