"""Frozen detection from a stored fingerprint versus the real previous grab.

Run: ``.venv/bin/python -m bench.fingerprint [--seed 20261126]``

Every case of the judgement benchmark (bench/judgement_cases.py, 1280 x 720), raw and through
JPEG q85 and q50, is judged twice: with the real previous grab, and as a large fleet's runner
judges, without previous pixels and with `previous_for_frozen=stand_in(current,
fingerprint(previous))` rebuilt from the fingerprint stored with the camera's state (so the noise
is read from one grab). Reported: how many verdicts differ (all faults, and `frozen` alone), the
frozen cases' recall with each, the fingerprint's size and its CPU cost per grab at 720p and
1080p.
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from bench.judgement import through_jpeg
from bench.judgement_cases import SEED, build_cases
from probes.faults import FaultCode
from probes.frame import assess
from probes.frame.fingerprint import fingerprint, stand_in


def _cpu_ms(image: np.ndarray, repeats: int = 50) -> float:
    start = time.process_time()
    for _ in range(repeats):
        fingerprint(image)
    return (time.process_time() - start) / repeats * 1000


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    cases = build_cases(args.seed)
    print(f"{len(cases)} cases, seed {args.seed}")
    print(
        "| encoding | cases | verdicts differing | frozen differing | frozen recall real / print |"
    )
    print("|---|---|---|---|---|")
    for label, quality in (("raw", None), ("JPEG q85", 85), ("JPEG q50", 50)):
        differing = frozen_differing = 0
        found_real = found_print = frozen_cases = 0
        for case in cases:
            if quality is not None:
                case = through_jpeg(case, quality)
            real = set(assess(case.current, case.previous, case.reference).faults)
            proxy = stand_in(case.current, fingerprint(case.previous))
            # As a large fleet judges: no previous pixels at hand, only the stored fingerprint.
            printed = set(
                assess(case.current, None, case.reference, previous_for_frozen=proxy).faults
            )
            differing += real != printed
            frozen_differing += (FaultCode.FROZEN in real) != (FaultCode.FROZEN in printed)
            if FaultCode.FROZEN in case.expected:
                frozen_cases += 1
                found_real += FaultCode.FROZEN in real
                found_print += FaultCode.FROZEN in printed
        print(
            f"| {label} | {len(cases)} | {differing} | {frozen_differing} "
            f"| {found_real}/{frozen_cases} / {found_print}/{frozen_cases} |"
        )
    sample = cases[0].current
    size = len(fingerprint(sample).to_bytes())
    big = cv2.resize(sample, (1920, 1080))
    print(
        f"fingerprint: {size} bytes; CPU per grab {_cpu_ms(sample):.2f} ms at 1280x720, "
        f"{_cpu_ms(big):.2f} ms at 1920x1080"
    )


if __name__ == "__main__":
    main()
