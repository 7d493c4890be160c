"""The judgement floor on the held-out splits (pictures never used to fit the thresholds), on
each delivery path: raw pixels, JPEG snapshots (q50-90) and H.264 keyframes (libx264,
0.5-4 Mbit/s).

The test split (photographs and textures, other seeds) has been looked at while the estimators
were written; the holdout split (the simulator's street scenes, other seeds again) was looked at
once, on the final code of the third round. Held today (docs/benchmarks.md, third round): the
issue's target, macro F1 >= 0.97 and no false alarm, on every path of both.
"""

from __future__ import annotations

import pytest

from bench.judgement import CODES, Scores, camwatch_predict, score
from bench.judgement_cases import PATHS, Case, build_split

# Reached (2026-11-30, third round), rounded down: test 0.9742 / 0.9742 / 0.9725, holdout 1.0.
FLOOR = {"raw": 0.974, "jpeg": 0.974, "h264": 0.972}
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


@pytest.fixture(scope="module")
def holdout_split() -> dict[str, list[Case]]:
    """The holdout split on every path (street scenes; about half a minute on 2 cores)."""
    return build_split("holdout", PATHS)


@pytest.mark.parametrize("path", PATHS)
def test_judgement_target_holds_on_the_holdout_split(holdout_split, path: str) -> None:
    cases = holdout_split[path]
    assert len(cases) >= 200
    assert {code for case in cases for code in case.expected} == set(CODES)
    scores = _scores(cases)
    worst = {str(c): round(s.f1, 3) for c, s in scores.per_code.items() if s.f1 < 1.0}
    assert scores.macro_f1() >= TARGET, worst
    assert scores.false_alarms == 0, f"{scores.false_alarms} healthy flagged"
