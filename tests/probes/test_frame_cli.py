"""`camwatch frame assess` on real image files written to disk."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from bench.judgement_cases import Camera, _photo, _world, cover
from monitor.cli.frame import app
from probes.frame import learn_reference

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Healthy grabs, a covered grab and the reference view of one camera, as PNG/JPEG files."""
    folder = tmp_path_factory.mktemp("frames")
    cam = Camera("astronaut", _world(_photo("astronaut")), seed=3, camera_id=1)
    images = {
        "reference.png": learn_reference([cam.grab() for _ in range(3)]),
        "previous.png": cam.grab(),
        "current.png": cam.grab(),
        "covered.png": cam.grab(cover("full", 90.0)(cam.view(), cam.rng)),
    }
    paths = {}
    for name, image in images.items():
        paths[name.split(".")[0]] = folder / name
        assert cv2.imwrite(str(folder / name), image)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    paths["broken"] = folder / "broken.jpg"
    return paths


def test_json_output_is_exactly_faults_and_metrics(files) -> None:
    result = runner.invoke(
        app,
        [
            "assess",
            str(files["current"]),
            "--previous",
            str(files["previous"]),
            "--reference",
            str(files["reference"]),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"faults", "metrics"}
    assert payload["faults"] == []
    assert payload["metrics"]["live_share"] > 0.9


def test_a_covered_lens_is_reported_in_the_table(files) -> None:
    result = runner.invoke(app, ["assess", str(files["covered"]), "-r", str(files["reference"])])
    assert result.exit_code == 0, result.output
    assert "faults: covered" in result.stdout
    assert "covered_share" in result.stdout


def test_the_same_file_twice_is_frozen(files) -> None:
    result = runner.invoke(
        app, ["assess", str(files["current"]), "-p", str(files["current"]), "--json"]
    )
    assert json.loads(result.stdout)["faults"] == ["frozen"]


@pytest.mark.parametrize("role", ["current", "previous", "reference"])
def test_missing_or_unreadable_files_exit_2_with_a_clear_message(files, role, tmp_path) -> None:
    args = {"current": str(files["current"])}
    for bad, why in ((str(tmp_path / "nope.png"), "not found"), (str(files["broken"]), "readable")):
        args[role] = bad
        cmd = ["assess", args["current"]]
        if "previous" in args:
            cmd += ["--previous", args["previous"]]
        if "reference" in args:
            cmd += ["--reference", args["reference"]]
        result = runner.invoke(app, cmd)
        assert result.exit_code == 2
        assert why in result.output and role in result.output


def test_a_previous_grab_of_another_size_exits_2(files, tmp_path) -> None:
    small = tmp_path / "small.png"
    cv2.imwrite(str(small), np.zeros((120, 160, 3), np.uint8))
    result = runner.invoke(app, ["assess", str(files["current"]), "-p", str(small)])
    assert result.exit_code == 2
    assert "differ in shape" in result.output
