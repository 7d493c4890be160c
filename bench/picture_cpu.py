"""CPU of one picture check at the simulated snapshot sizes: decode, fingerprint, judge, thumbnail.

Run: ``.venv/bin/python -m bench.picture_cpu [--repeats 30]``

A healthy simulated scene (monitor/simulator/scene.py) is JPEG-encoded as the simulator serves it
(q85) at 640x360, 1280x720 and 1920x1080. Measured per picture (process CPU time): full decode
(`cv2.IMREAD_COLOR`, what the snapshot probe does), decode at half and quarter size with JPEG DCT
scaling (`IMREAD_REDUCED_COLOR_2/4`, for comparison), the fingerprint of the previous grab, the
judgement (`assess` with the reference and the previous grab's stand-in, which decides only the
frozen verdict) and the evidence thumbnail. Repeats are medians of process CPU time per call.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np

from monitor.monitoring.pictures import thumbnail_jpeg
from monitor.simulator.scene import encode_jpeg, render_scene
from probes.frame import assess, learn_reference
from probes.frame.fingerprint import fingerprint, stand_in

SIZES = ((640, 360), (1280, 720), (1920, 1080))


def cpu_ms(step: Callable[[], object], repeats: int) -> float:
    """Median process CPU milliseconds per call (a busy machine's stray slow calls left out)."""
    step()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    print(
        "| size | JPEG kB | decode full | decode 1/2 | decode 1/4 | fingerprint | assess "
        "| thumbnail | total (full decode) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for width, height in SIZES:
        print(row(width, height, args.repeats))


def row(width: int, height: int, repeats: int) -> str:
    """One table row: CPU per step for one picture size."""
    scene = render_scene(3, width, height)
    noise = np.random.default_rng(1).normal(0, 2, scene.shape)
    frame = np.clip(scene + noise, 0, 255).astype(np.uint8)
    data = encode_jpeg(frame)
    buf = np.frombuffer(data, np.uint8)
    current = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    reference = learn_reference([current])
    previous = fingerprint(cv2.imdecode(np.frombuffer(encode_jpeg(scene), np.uint8), 1))
    steps = {
        "decode": lambda: cv2.imdecode(buf, cv2.IMREAD_COLOR),
        "half": lambda: cv2.imdecode(buf, cv2.IMREAD_REDUCED_COLOR_2),
        "quarter": lambda: cv2.imdecode(buf, cv2.IMREAD_REDUCED_COLOR_4),
        "print": lambda: fingerprint(current),
        # The stand-in rebuilt from the fingerprint decides frozen only (never noise).
        "assess": lambda: assess(
            current, None, reference, previous_for_frozen=stand_in(current, previous)
        ),
        "thumb": lambda: thumbnail_jpeg(current),
    }
    ms = {name: cpu_ms(step, repeats) for name, step in steps.items()}
    total = ms["decode"] + ms["print"] + ms["assess"] + ms["thumb"]
    return (
        f"| {width}x{height} | {len(data) / 1024:.0f} | {ms['decode']:.1f} | {ms['half']:.1f} "
        f"| {ms['quarter']:.1f} | {ms['print']:.1f} | {ms['assess']:.1f} | {ms['thumb']:.1f} "
        f"| {total:.1f} ms |"
    )


if __name__ == "__main__":
    main()
