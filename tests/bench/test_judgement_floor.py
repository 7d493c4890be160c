"""The judgement floor on the held-out test split (photographs and textures never used to fit the
thresholds, rendered with other seeds), on each delivery path: raw pixels, JPEG snapshots
(q50-90) and H.264 keyframes (libx264, 0.5-4 Mbit/s).

Held today: macro F1 >= 0.94 on every path (measured 0.950-0.960), no false alarm on raw and
JPEG, at most two on H.264. The issue's target (macro F1 >= 0.97 and no false alarm on every
path) is not reached yet; the strict xfail below fails as soon as it is, so the floor gets raised
then.
"""

from __future__ import annotations

import pytest

from bench.judgement import CODES, Scores, camwatch_predict, score
from bench.judgement_cases import PATHS, Case, build_split

FLOOR = 0.94  # measured 0.950-0.960 on the three paths (2026-11-30)
TARGET = 0.97


@pytest.fixture(scope="module")
def test_split() -> dict[str, list[Case]]:
    """The test split on every path, built once (about a minute and a half on 2 cores)."""
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
    assert scores.macro_f1() >= FLOOR, worst
    if path != "h264":  # two healthy H.264 cases are called noisy today (see docs)
        assert scores.false_alarms == 0, f"{scores.false_alarms} healthy flagged"
    else:
        assert scores.false_alarms <= 2, f"{scores.false_alarms} healthy flagged"


@pytest.mark.xfail(strict=True, reason="issue #11 target not reached yet (see docs/benchmarks.md)")
@pytest.mark.parametrize("path", PATHS)
def test_judgement_target_on_the_test_split(test_split, path: str) -> None:
    scores = _scores(test_split[path])
    assert scores.macro_f1() >= TARGET and scores.false_alarms == 0
