"""Benchmark of judgement: camwatch's frame assessor beside camera-health, same labelled cases.

Run: .venv/bin/python -m bench.judgement [--split train|test|holdout|both|all]
[--paths raw,jpeg,h264]
Prints, per split and delivery path (raw pixels, JPEG snapshot, H.264 keyframe), precision,
recall and F1 per picture fault code, macro F1, false alarms on healthy cases and the CPU cost
per 720p assessment, for both assessors, as Markdown tables. Thresholds are fitted on "train";
"test" is other photographs and textures rendered with other seeds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2

from bench.judgement_cases import PATHS, SEED, Case, build_split
from probes.faults import PICTURE_FAULTS, FaultCode
from probes.frame import assess

CODES: tuple[FaultCode, ...] = tuple(c for c in FaultCode if c in PICTURE_FAULTS)

# camera-health's fault kinds in camwatch's vocabulary; it has no "no video screen" check, and
# its "drift" needs a run of frames (not judged on a single grab).
CAMERA_HEALTH_MAP = {
    "obstruction": FaultCode.COVERED,
    "defocus": FaultCode.BLUR,
    "darkness": FaultCode.TOO_DARK,
    "overexposure": FaultCode.OVEREXPOSED,
    "frozen": FaultCode.FROZEN,
    "tampering": FaultCode.SCENE_CHANGED,
    "colour_cast": FaultCode.COLOR_CAST,
    "noise": FaultCode.NOISY,
}

Predict = Callable[[Case], frozenset[FaultCode]]  # one assessor's verdict on one case


@dataclass(frozen=True)
class CodeScore:
    """Precision, recall and F1 of one fault code."""

    code: FaultCode
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """Share of the code's alarms that were right (1.0 when it never alarmed)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of the code's true cases it caught."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when nothing was caught)."""
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


@dataclass(frozen=True)
class Scores:
    """Judgement quality of one assessor over a case set."""

    per_code: dict[FaultCode, CodeScore]
    healthy_cases: int
    false_alarms: int
    exact: int
    total: int

    def macro_f1(self, codes: Sequence[FaultCode] = CODES) -> float:
        """Mean F1 over `codes`."""
        return sum(self.per_code[c].f1 for c in codes) / len(codes)

    @property
    def false_alarm_rate(self) -> float:
        """Share of healthy cases given any fault."""
        return self.false_alarms / self.healthy_cases if self.healthy_cases else 0.0


def score(cases: Sequence[Case], predictions: Sequence[frozenset[FaultCode]]) -> Scores:
    """Compare predicted fault sets with the cases' expected sets."""
    counts = {c: [0, 0, 0] for c in CODES}
    healthy = alarms = exact = 0
    for case, predicted in zip(cases, predictions, strict=True):
        for code in CODES:
            expected, got = code in case.expected, code in predicted
            if expected and got:
                counts[code][0] += 1
            elif got and code not in case.tolerated:
                counts[code][1] += 1
            elif expected:
                counts[code][2] += 1
        if not case.expected:
            healthy += 1
            alarms += bool(predicted)
        exact += case.expected <= predicted and predicted - case.expected <= case.tolerated
    per_code = {c: CodeScore(c, *v) for c, v in counts.items()}
    return Scores(per_code, healthy, alarms, exact, len(cases))


def camwatch_predict(case: Case) -> frozenset[FaultCode]:
    """camwatch's verdict on one case."""
    return frozenset(
        assess(case.current, case.previous, case.reference, case.baseline, case.hour).faults
    )


def camwatch_no_baseline(case: Case) -> frozenset[FaultCode]:
    """camwatch's verdict without the camera's baseline (reference view and previous grab only)."""
    return frozenset(assess(case.current, case.previous, case.reference).faults)


def camwatch_single_grab(case: Case) -> frozenset[FaultCode]:
    """camwatch on the grab and the reference alone (no temporal estimate): the CPU floor."""
    return frozenset(assess(case.current, None, case.reference, case.baseline, case.hour).faults)


def camera_health_verdicts(
    cases: Sequence[Case],
) -> tuple[list[frozenset[FaultCode]], list[frozenset[FaultCode]], float]:
    """camera-health on every case, mapped onto camwatch's codes: (any severity, critical only,
    CPU ms per check). One check per case serves both readings."""
    from camera_health import CRITICAL, check

    any_severity, critical_only = [], []
    start = time.process_time()
    for case in cases:
        # It reads arrays as RGB or grey; our frames are BGR, so hand it RGB.
        health = check(
            cv2.cvtColor(case.current, cv2.COLOR_BGR2RGB),
            previous=cv2.cvtColor(case.previous, cv2.COLOR_BGR2RGB),
            reference=cv2.cvtColor(case.reference_frame, cv2.COLOR_BGR2RGB),
        )
        found = [
            (CAMERA_HEALTH_MAP[f.kind], f.severity)
            for f in health.faults
            if f.kind in CAMERA_HEALTH_MAP
        ]
        any_severity.append(frozenset(code for code, _ in found))
        critical_only.append(frozenset(code for code, sev in found if sev == CRITICAL))
    cpu_ms = (time.process_time() - start) * 1000.0 / len(cases)
    return any_severity, critical_only, cpu_ms


def cpu_ms_per_call(cases: Sequence[Case], predict: Predict, repeats: int) -> float:
    """Process CPU time (all threads) per call of `predict`, in milliseconds."""
    start = time.process_time()
    for _ in range(repeats):
        for case in cases:
            predict(case)
    return (time.process_time() - start) * 1000.0 / (repeats * len(cases))


def _table(named: dict[str, Scores], covered: dict[str, set[FaultCode]]) -> list[str]:
    names = list(named)
    head = "| fault code | cases | " + " | ".join(f"{n} P / R / F1" for n in names) + " |"
    lines = [head, "|---|---:|" + "---|" * len(names)]
    for code in CODES:
        cells = []
        for name in names:
            s = named[name].per_code[code]
            if code not in covered[name]:
                cells.append("not judged")
            else:
                cells.append(f"{s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f}")
        cases = named[names[0]].per_code[code]
        lines.append(f"| {code} | {cases.tp + cases.fn} | " + " | ".join(cells) + " |")
    return lines


def _report(split: str, path: str, cases: list[Case], repeats: int, with_peer: bool) -> None:
    by_group: dict[str, int] = {}
    for case in cases:
        by_group[case.group] = by_group.get(case.group, 0) + 1
    ours = [camwatch_predict(c) for c in cases]
    named = {"camwatch": score(cases, ours)}
    named["camwatch without baseline"] = score(cases, [camwatch_no_baseline(c) for c in cases])
    threads = cv2.getNumThreads()
    cpu_theirs = float("nan")
    if with_peer:
        cv2.setNumThreads(1)
        theirs, theirs_c, cpu_theirs = camera_health_verdicts(cases)
        cv2.setNumThreads(threads)
        named["camera-health (any severity)"] = score(cases, theirs)
        named["camera-health (critical only)"] = score(cases, theirs_c)
    their_codes = set(CAMERA_HEALTH_MAP.values())
    covered = {n: (set(CODES) if n.startswith("camwatch") else their_codes) for n in named}

    cv2.setNumThreads(1)
    cpu_full = cpu_ms_per_call(cases, camwatch_predict, repeats)
    cpu_single = cpu_ms_per_call(cases, camwatch_single_grab, repeats)
    cv2.setNumThreads(threads)

    print(f"### {split} split, {path} ({len(cases)} cases at 1280x720)")
    print()
    print("cases per group: " + ", ".join(f"{g} {n}" for g, n in sorted(by_group.items())))
    print()
    print("\n".join(_table(named, covered)))
    print()
    print(
        "| assessor | macro F1 (its codes) | macro F1 (all 9 codes) | false alarms on healthy "
        "| right fault set | CPU ms / 720p assessment (1 thread) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, s in named.items():
        own = sorted(covered[name])
        if name == "camwatch":
            cpu = f"{cpu_full:.2f} with temporal estimate, {cpu_single:.2f} single grab"
        elif name.startswith("camwatch"):
            cpu = "-"
        else:
            cpu = f"{cpu_theirs:.2f}"
        print(
            f"| {name} | {s.macro_f1(own):.3f} | {s.macro_f1():.3f} | "
            f"{s.false_alarms}/{s.healthy_cases} ({s.false_alarm_rate:.1%}) | "
            f"{s.exact}/{s.total} | {cpu} |"
        )
    misses = [
        (c.name, sorted(map(str, c.expected)), sorted(map(str, p)))
        for c, p in zip(cases, ours, strict=True)
        if not (c.expected <= p and p - c.expected <= c.tolerated)
    ]
    print()
    print(f"camwatch misjudged {len(misses)} case(s)" + (":" if misses else "."))
    for name, expected, got in misses:
        print(f"- {name}: expected {expected}, got {got}")
    print()


def main(argv: Sequence[str] | None = None) -> None:
    """Build the cases of each split and path, judge them with both assessors, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="timing passes over the cases")
    parser.add_argument("--seed", type=int, default=SEED, help="render the cases with this seed")
    parser.add_argument(
        "--split", choices=("train", "test", "holdout", "both", "all"), default="both"
    )
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated delivery paths")
    parser.add_argument("--no-peer", action="store_true", help="skip camera-health")
    args = parser.parse_args(argv)
    paths = tuple(p for p in args.paths.split(",") if p)
    groups = {"both": ("train", "test"), "all": ("train", "test", "holdout")}
    splits = groups.get(args.split, (args.split,))
    for split in splits:
        t0 = time.perf_counter()
        by_path = build_split(split, paths, args.seed)
        print(
            f"## Frame judgement, {split} split, seed {args.seed} (built in "
            f"{time.perf_counter() - t0:.0f} s)"
        )
        print()
        for path in paths:
            _report(split, path, by_path[path], args.repeats, not args.no_peer)


if __name__ == "__main__":
    main()
