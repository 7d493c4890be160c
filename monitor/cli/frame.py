"""`camwatch frame`: judge picture files the way the probes judge a camera's frames."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from probes.frame import Assessment, assess

app = typer.Typer(help="Picture-quality assessment of image files.", no_args_is_help=True)
err = Console(stderr=True)
out = Console()


@app.callback()
def frame() -> None:
    """Picture-quality assessment of image files."""


def read_image(path: Path, role: str) -> np.ndarray:
    """Read an image file as OpenCV does (BGR uint8); exit 2 with a clear message if we can't."""
    if not path.is_file():
        err.print(f"[red]{role} image not found: {path}[/red]")
        raise typer.Exit(2)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        err.print(f"[red]{role} image is not a readable picture: {path}[/red]")
        raise typer.Exit(2)
    return image


def render(assessment: Assessment) -> Table:
    """A rich table of the verdict and the metrics behind it."""
    verdict = ", ".join(map(str, assessment.faults)) if assessment.faults else "healthy"
    table = Table("metric", "value", title=f"faults: {verdict}")
    for name, value in assessment.to_dict()["metrics"].items():
        table.add_row(name, f"{value:g}")
    return table


@app.command("assess")
def assess_command(
    current: Path = typer.Argument(..., help="the picture to judge"),
    previous: Path | None = typer.Option(None, "--previous", "-p", help="the grab before it"),
    reference: Path | None = typer.Option(
        None, "--reference", "-r", help="the camera's reference view"
    ),
    as_json: bool = typer.Option(False, "--json", help='print {"faults": [...], "metrics": {...}}'),
) -> None:
    """Assess a picture file, optionally against the previous grab and the reference view."""
    frame = read_image(current, "current")
    before = read_image(previous, "previous") if previous is not None else None
    wanted = read_image(reference, "reference") if reference is not None else None
    try:
        assessment = assess(frame, before, wanted)
    except ValueError as exc:  # e.g. a previous grab of another size
        err.print(f"[red]cannot assess: {exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(assessment.to_dict()))
    else:
        out.print(render(assessment))
