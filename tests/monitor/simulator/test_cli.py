"""`camwatch simulate` through its Typer app (real fleet, short run)."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from monitor.cli.simulate import app


def test_run_writes_inventory_prints_table_and_stops(tmp_path: Path, base_address: str) -> None:
    inventory = tmp_path / "fleet.csv"
    result = CliRunner().invoke(
        app,
        [
            "--count",
            "12",
            "--base-address",
            base_address,
            "--port",
            "0",
            "--no-rtsp",
            "--seed",
            "7",
            "--inventory",
            str(inventory),
            "--duration",
            "0.3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "SIM-0012" in result.output and "fleet stopped" in result.output
    with inventory.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["code"] for r in rows] == [f"SIM-{i:04d}" for i in range(1, 13)]
    assert rows[0]["onvif_host"] == base_address
    assert not any(r["password"] in result.output for r in rows)


def test_rejects_more_than_eight_streams() -> None:
    result = CliRunner().invoke(app, ["--rtsp-count", "9", "--duration", "0"])
    assert result.exit_code != 0
