"""RTSP time to first frame of camwatch's rtsp probe beside the stream's keyframe interval.

Run: ``.venv/bin/python -m bench.rtsp_ttff [--runs 20] [--gops 1,2]``

The stream is real: `tests.peers.rtsp_source` serves RTSP (TCP interleaved) from one ffmpeg
libx264 encoder that runs all the time with a fixed GOP (720p, 25 fps), like a camera, so each
probe joins mid-GOP and must wait for the next keyframe. Runs are spaced by random pauses so
they land on random GOP phases. For each keyframe interval the probe runs with camwatch's
settings (analyzeduration 0.5 s, probesize 64 KiB) and with FFmpeg's defaults (5 s / 5 MB).
ipycam's server (a fresh encoder, hence a keyframe, for every client) is shown for reference.
CPU is this process's ``time.process_time`` per probe (open, analysis, one keyframe decode).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from probes import rtsp
from probes.result import Deadline, ProbeConfig, ProbeTarget
from tests.peers.ipycam_peer import IpycamPeer
from tests.peers.rtsp_source import RtspSource

CAMWATCH = ProbeConfig()
FFMPEG_DEFAULTS = ProbeConfig(rtsp_analyzeduration_us=5_000_000, rtsp_probesize_bytes=5_000_000)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _runs(
    target: ProbeTarget, cfg: ProbeConfig, runs: int, max_pause: float
) -> tuple[list[float], list[float], int]:
    ttff, cpu, failed = [], [], 0
    rng = random.Random(7)
    for _ in range(runs):
        await asyncio.sleep(rng.uniform(0.05, max_pause))
        c0 = time.process_time()
        result = await rtsp.probe(target, cfg, deadline=Deadline(10.0))
        c1 = time.process_time()
        if not result.ok:
            failed += 1
            continue
        ttff.append(result.metrics["ttff_seconds"])
        cpu.append(c1 - c0)
    return ttff, cpu, failed


def _row(source: str, gop: str, settings: str, runs: int, data: tuple) -> str:
    ttff, cpu, failed = data
    if not ttff:
        return f"| {source} | {gop} | {settings} | {runs} | {failed} | - | - | - | - |"
    return (
        f"| {source} | {gop} | {settings} | {runs} | {failed} | {statistics.median(ttff):.2f} "
        f"| {_p95(ttff):.2f} | {max(ttff):.2f} | {statistics.median(cpu) * 1000:.0f} |"
    )


async def _main(args: argparse.Namespace) -> None:
    rows = []
    verdicts = []
    for gop in args.gops:
        with RtspSource(host="127.78.0.1", width=1280, height=720, fps=25, gop_seconds=gop) as src:
            target = ProbeTarget(code="BENCH", host=src.host, rtsp_url=src.url)
            await asyncio.sleep(1.0)  # encoder in steady state
            for name, cfg in (("camwatch", CAMWATCH), ("FFmpeg defaults", FFMPEG_DEFAULTS)):
                data = await _runs(target, cfg, args.runs, gop)
                rows.append(_row("ffmpeg encoder, always on", f"{gop:g} s", name, args.runs, data))
                if name == "camwatch" and data[0]:
                    ok = _p95(data[0]) <= gop + 0.5
                    verdicts.append(
                        f"GOP {gop:g} s: p95 {_p95(data[0]):.2f} s vs target {gop + 0.5:.2f} s "
                        f"-> {'met' if ok else 'NOT met'}"
                    )
    with IpycamPeer(host="127.78.0.2", width=1280, height=720, fps=25) as cam:
        target = ProbeTarget(code="BENCH-IPYCAM", host=cam.host, rtsp_url=cam.rtsp_url)
        data = await _runs(target, CAMWATCH, args.runs, 0.3)
        rows.append(_row("ipycam (encoder per client)", "2 s", "camwatch", args.runs, data))

    print(f"runs per row: {args.runs}; stream 1280x720 H.264 25 fps over RTSP/TCP on loopback")
    print()
    print(
        "| source | keyframe interval | probe settings | runs | failed | TTFF median s "
        "| TTFF p95 s | TTFF max s | CPU per probe ms |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)
    print()
    for verdict in verdicts:
        print(verdict)


def main() -> None:
    """Parse arguments and run the benchmark."""
    p = argparse.ArgumentParser(prog="bench.rtsp_ttff")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument(
        "--gops",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[1.0, 2.0],
        help="keyframe intervals in seconds, comma-separated",
    )
    asyncio.run(_main(p.parse_args()))


if __name__ == "__main__":
    main()
