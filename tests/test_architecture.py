"""The packages import one way only (the layers in pyproject.toml's import-linter contract)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the tree (its own packages first on the path)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_imports_flow_one_way_between_the_packages() -> None:
    run = _lint_imports(ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_a_back_reference_breaks_the_contract(tmp_path: Path) -> None:
    # The contract is not vacuous: in a copy of the tree, core importing outages is refused.
    for package in ("monitor", "api", "probes"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    offender = tmp_path / "monitor" / "core" / "back_reference.py"
    offender.write_text("from monitor.outages import evaluator  # noqa: F401\n")
    run = _lint_imports(tmp_path)
    assert run.returncode != 0
    assert "monitor.core.back_reference -> monitor.outages.evaluator" in run.stdout
