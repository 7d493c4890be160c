"""The judgement floor: the benchmark's labelled set must keep macro F1 >= 0.95, no false alarm."""

from __future__ import annotations

import pytest

from bench.judgement import CODES, camwatch_predict, score
from bench.judgement_cases import SEED, build_cases


# The default seed is the published benchmark; the other renders the same scenes with other noise,
# cover shading and textures, so a threshold fitted to one draw shows up here.
@pytest.mark.parametrize("seed", [SEED, 3])
def test_judgement_floor_holds(seed: int) -> None:
    cases = build_cases(seed)
    assert len(cases) >= 150
    assert {code for case in cases for code in case.expected} == set(CODES)
    scores = score(cases, [camwatch_predict(case) for case in cases])
    worst = {str(c): round(s.f1, 3) for c, s in scores.per_code.items() if s.f1 < 1.0}
    assert scores.macro_f1() >= 0.95, worst
    assert scores.false_alarms == 0, f"{scores.false_alarms}/{scores.healthy_cases} healthy flagged"
