"""Cost of the simulated fleet (`camwatch simulate`) as the monitor's load tests will drive it.

Run: ``.venv/bin/python -m bench.sim_fleet [--cameras 500] [--concurrency 32] [--watch 8]``

The fleet runs in its own process exactly as the CLI starts it (``--healthy``: no faults outside
the RTSP subset, so every camera answers). Its CPU (plus its live ffmpeg encoders) is read from
/proc, so the client side of this script is not counted. Figures: start-up time until every
address accepts TCP, idle CPU, an ONVIF sweep of every camera with onvif-zeep-async (discovery,
clock, identity, profiles, stream URI), a snapshot sweep with httpx digest auth, and the RTSP
subset: time to first decoded frame per stream, and CPU while `--watch` streams are watched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import av
import httpx
from onvif import ONVIFCamera

from monitor.simulator import build_fleet

REPO_ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user+system) of one process, 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / TICKS


def _children(pid: int) -> list[int]:
    """Live child processes of pid (the ffmpeg encoders)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if ppid == pid:
                out.append(int(entry.name))
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its live children."""
    return _proc_cpu(pid) + sum(_proc_cpu(c) for c in _children(pid))


async def _connects(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def onvif_sweep(cams: list, concurrency: int) -> tuple[float, int]:
    """Identity sweep of every camera; returns (wall seconds, failures)."""
    gate = asyncio.Semaphore(concurrency)
    failures = 0

    async def one(cam) -> None:
        nonlocal failures
        async with gate:
            device = ONVIFCamera(
                cam.address, cam.onvif_port, cam.username, cam.password, adjust_time=True
            )
            try:
                await device.update_xaddrs()
                mgmt = await device.create_devicemgmt_service()
                await mgmt.GetDeviceInformation()
                media = await device.create_media_service()
                token = (await media.GetProfiles())[0].token
                req = media.create_type("GetStreamUri")
                req.ProfileToken = token
                req.StreamSetup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
                await media.GetStreamUri(req)
            except Exception:  # a benchmark counts failures, whatever they are
                failures += 1
            finally:
                await device.close()

    start = time.perf_counter()
    await asyncio.gather(*(one(c) for c in cams))
    return time.perf_counter() - start, failures


async def snapshot_sweep(cams: list, concurrency: int) -> tuple[float, int]:
    """One digest-authenticated snapshot per camera; returns (wall seconds, failures)."""
    gate = asyncio.Semaphore(concurrency)
    failures = 0
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=10, limits=limits) as http:

        async def one(cam) -> None:
            nonlocal failures
            async with gate:
                reply = await http.get(
                    cam.snapshot_url, auth=httpx.DigestAuth(cam.username, cam.password)
                )
                if reply.status_code != 200 or reply.content[:2] != b"\xff\xd8":
                    failures += 1

        start = time.perf_counter()
        await asyncio.gather(*(one(c) for c in cams))
    return time.perf_counter() - start, failures


def first_frame_seconds(url: str) -> float:
    """Wall time from open to the first decoded frame (PyAV, TCP, short stream analysis)."""
    options = {"rtsp_transport": "tcp", "analyzeduration": "500000", "probesize": "65536"}
    start = time.perf_counter()
    with av.open(url, options=options, timeout=10) as container:
        for _ in container.decode(video=0):
            return time.perf_counter() - start
    raise RuntimeError("no frame")


def watch(url: str, seconds: float) -> int:
    """Decode a stream for `seconds`; returns frames decoded."""
    options = {"rtsp_transport": "tcp", "analyzeduration": "500000", "probesize": "65536"}
    frames = 0
    end = time.monotonic() + seconds
    with av.open(url, options=options, timeout=10) as container:
        for _ in container.decode(video=0):
            frames += 1
            if time.monotonic() > end:
                break
    return frames


async def main(args: argparse.Namespace) -> None:
    """Start the fleet process, drive it, print a markdown table."""
    cams = build_fleet(
        args.cameras,
        args.seed,
        base_address=args.base,
        onvif_port=args.port,
        rtsp_port=args.rtsp_port,
        faults=False,
    )
    cmd = [
        sys.executable,
        "-c",
        "from monitor.cli.simulate import app; app()",
        "--count",
        str(args.cameras),
        "--base-address",
        args.base,
        "--port",
        str(args.port),
        "--rtsp-port",
        str(args.rtsp_port),
        "--seed",
        str(args.seed),
        "--healthy",
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    rows: list[tuple[str, str]] = []
    try:
        pending = list(cams)
        while pending:
            if proc.poll() is not None:
                raise RuntimeError("the fleet process exited")
            ok = await asyncio.gather(*(_connects(c.address, c.onvif_port) for c in pending))
            pending = [c for c, up in zip(pending, ok, strict=True) if not up]
            if pending:
                await asyncio.sleep(0.05)
        ready = time.perf_counter() - t0
        rows.append((f"start {args.cameras} cameras until all accept TCP (wall)", f"{ready:.2f} s"))
        rows.append(
            ("fleet process CPU at ready (imports included)", f"{tree_cpu(proc.pid):.2f} s")
        )

        await asyncio.sleep(args.settle)  # let start-up work (closing our probes) drain first
        c0 = tree_cpu(proc.pid)
        await asyncio.sleep(args.idle)
        rows.append(("idle fleet CPU", f"{(tree_cpu(proc.pid) - c0) / args.idle * 100:.1f} %"))

        c0 = tree_cpu(proc.pid)
        wall, failed = await onvif_sweep(cams, args.concurrency)
        cpu = tree_cpu(proc.pid) - c0
        rows.append(
            (
                f"ONVIF sweep ({args.concurrency} in flight): cameras per second",
                f"{len(cams) / wall:.0f}",
            )
        )
        rows.append(
            ("ONVIF sweep: fleet CPU per camera (7 SOAP calls)", f"{cpu / len(cams) * 1000:.2f} ms")
        )
        rows.append(("ONVIF sweep failures", str(failed)))

        c0 = tree_cpu(proc.pid)
        wall, failed = await snapshot_sweep(cams, args.concurrency)
        cpu = tree_cpu(proc.pid) - c0
        rows.append(
            (
                "snapshot sweep (digest, 640x360 JPEG): snapshots per second",
                f"{len(cams) / wall:.0f}",
            )
        )
        rows.append(("snapshot sweep: fleet CPU per snapshot", f"{cpu / len(cams) * 1000:.2f} ms"))
        rows.append(("snapshot sweep failures", str(failed)))

        rtsp = [c for c in cams if c.rtsp]
        firsts = [await asyncio.to_thread(first_frame_seconds, c.rtsp_url) for c in rtsp]
        rows.append(
            (
                f"RTSP time to first frame, {len(rtsp)} streams (median / max)",
                f"{statistics.median(firsts):.2f} s / {max(firsts):.2f} s",
            )
        )
        watched = rtsp[: args.watch]
        c0 = tree_cpu(proc.pid)
        frames = await asyncio.gather(
            *(asyncio.to_thread(watch, c.rtsp_url, args.watch_seconds) for c in watched)
        )
        cpu = tree_cpu(proc.pid) - c0
        fps = sum(frames) / len(watched) / args.watch_seconds
        rows.append(
            (
                f"{len(watched)} streams watched {args.watch_seconds:.0f} s: fleet CPU "
                "(feeder + ffmpeg encoders)",
                f"{cpu / args.watch_seconds * 100:.0f} %",
            )
        )
        rows.append(("frames decoded per stream per second (fleet fps = 5)", f"{fps:.1f}"))
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"| simulated fleet, {os.cpu_count()} cores | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base", default="127.222.0.1")
    parser.add_argument("--port", type=int, default=18000)
    parser.add_argument("--rtsp-port", type=int, default=18554)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--watch", type=int, default=8)
    parser.add_argument("--watch-seconds", type=float, default=10.0)
    asyncio.run(main(parser.parse_args()))
