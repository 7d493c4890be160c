"""The judgement floor on the held-out test split (photographs and textures never used to fit the
thresholds, rendered with other seeds), on each delivery path: raw pixels, JPEG snapshots
(q50-90) and H.264 keyframes (libx264, 0.5-4 Mbit/s).

Held today (docs/benchmarks.md, second round): no false alarm on any path; macro F1 0.974 raw,
0.974 JPEG, 0.966 H.264. The issue's target (macro F1 >= 0.97 and no false alarm) is reached on
raw and JPEG; on H.264 it stays a strict xfail, which fails as soon as it is reached, so the
floor gets raised then.
"""

from __future__ import annotations

import pytest

from bench.judgement import CODES, Scores, camwatch_predict, score
from bench.judgement_cases import PATHS, Case, build_split

# Reached (2026-11-30, branch judge2), rounded down: H.264 scored 0.9656 in the suite's build.
FLOOR = {"raw": 0.974, "jpeg": 0.974, "h264": 0.965}
TARGET = 0.97


@pytest.fixture(scope="module")
def test_split() -> dict[str, list[Case]]:
    """The test split on every path, built once (about two minutes on 2 cores)."""
    return build_split("test", PATHS)


def _scores(cases: list[Case]) -> Scores:
    return score(cases, [camwatch_predict(case) for case in cases])


@pytest.mark.parametrize("path", PATHS)
def test_judgement_floor_holds_on_the_test_split(test_split, path: str) -> None:
    cases = test_split[path]
    assert len(cases) >= 300
    assert {code for case in cases for code in case.expected} == set(CODES)
    scores = _scores(cases)
    worst = {str(c): round(s.f1, 3) for c, s in scores.per_code.items() if s.f1 < 1.0}
    assert scores.macro_f1() >= FLOOR[path], worst
    assert scores.false_alarms == 0, f"{scores.false_alarms} healthy flagged"


@pytest.mark.parametrize(
    "path",
    [
        "raw",
        "jpeg",
        pytest.param(
            "h264",
            marks=pytest.mark.xfail(
                strict=True, reason="issue #11 target not reached on H.264 (docs/benchmarks.md)"
            ),
        ),
    ],
)
def test_judgement_target_on_the_test_split(test_split, path: str) -> None:
    scores = _scores(test_split[path])
    assert scores.macro_f1() >= TARGET and scores.false_alarms == 0
