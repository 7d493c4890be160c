"""TCP-connect probes per CPU-second: camwatch's tcp probe vs Prometheus blackbox_exporter.

Run: ``.venv/bin/python -m bench.tcp_rate [--targets 200] [--rounds 25]``

Both probers connect to the same loopback listeners (one per target, each on its own
127.77.x.y address) in the same run. The listeners live in a separate process that accepts and
closes, so neither prober pays for the server side.

- camwatch: `probes.tcp.probe` in this process, all targets of a round concurrently (as the
  runner does); CPU = ``time.process_time`` of this process around the rounds. Targets have one
  port (ONVIF = RTSP), so one connect per probe like blackbox; the two-port probe is shown too.
- blackbox_exporter 0.23 (Debian): started on a loopback port with a ``tcp_connect`` module and
  driven over ``/probe?module=tcp_connect&target=...`` as Prometheus would; CPU = utime+stime of
  ITS process from /proc/<pid>/stat before/after (the HTTP driver's CPU is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from probes.result import Deadline, ProbeConfig, ProbeTarget
from probes.tcp import probe

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
CLK_TCK = os.sysconf("SC_CLK_TCK")
BLACKBOX_CONFIG = """modules:
  tcp_connect:
    prober: tcp
    timeout: 5s
"""


def _serve(count: int) -> None:
    """Listener process: `count` listeners (two ports each), accept and close forever."""
    sel = selectors.DefaultSelector()
    for i in range(count):
        host = f"127.77.{i // 250}.{i % 250 + 1}"
        ports = []
        for _ in range(2):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, 0))
            s.listen(1024)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            ports.append(str(s.getsockname()[1]))
        print(f"{host} {' '.join(ports)}", flush=True)
    print("READY", flush=True)
    while True:
        for key, _ in sel.select():
            while True:
                try:
                    conn, _ = key.fileobj.accept()
                except BlockingIOError:
                    break
                conn.close()


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


async def _ours(targets: list[ProbeTarget], rounds: int) -> tuple[int, float, float, int]:
    cfg = ProbeConfig()
    failures = 0
    for t in targets[:10]:  # warm-up (imports, first-use allocations)
        await probe(t, cfg, deadline=Deadline(2.0))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        results = await asyncio.gather(*(probe(t, cfg, deadline=Deadline(5.0)) for t in targets))
        failures += sum(not r.ok for r in results)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return len(targets) * rounds, cpu, wall, failures


async def _blackbox(
    endpoints: list[tuple[str, int]], rounds: int, concurrency: int
) -> tuple[int, float, float, int, str]:
    with tempfile.TemporaryDirectory(prefix="bench-blackbox-") as tmp:
        cfg_path = Path(tmp) / "blackbox.yml"
        cfg_path.write_text(BLACKBOX_CONFIG)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(
            [
                BLACKBOX,
                f"--config.file={cfg_path}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            out = subprocess.run(
                [BLACKBOX, "--version"], capture_output=True, text=True, check=False
            )
            words = (out.stdout + out.stderr).split()
            version = "blackbox_exporter " + (words[2].rstrip(",") if len(words) > 2 else "?")
            base = f"http://127.0.0.1:{port}/probe"
            limits = httpx.Limits(
                max_connections=concurrency, max_keepalive_connections=concurrency
            )
            async with httpx.AsyncClient(timeout=10.0, limits=limits, trust_env=False) as client:
                for _ in range(100):
                    try:
                        await client.get(f"http://127.0.0.1:{port}/")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                sem = asyncio.Semaphore(concurrency)

                async def one(host: str, p: int) -> bool:
                    async with sem:
                        r = await client.get(
                            base, params={"module": "tcp_connect", "target": f"{host}:{p}"}
                        )
                    return "probe_success 1" in r.text

                for host, p in endpoints[:10]:  # warm-up
                    await one(host, p)
                cpu0, wall0 = _proc_cpu(proc.pid), time.perf_counter()
                failures = 0
                for _ in range(rounds):
                    ok = await asyncio.gather(*(one(h, p) for h, p in endpoints))
                    failures += sum(not x for x in ok)
                cpu, wall = _proc_cpu(proc.pid) - cpu0, time.perf_counter() - wall0
        finally:
            proc.terminate()
            proc.wait(timeout=5)
    return len(endpoints) * rounds, cpu, wall, failures, version


async def _main(args: argparse.Namespace) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.tcp_rate", "--serve", str(args.targets)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        listeners: list[tuple[str, int, int]] = []
        for line in server.stdout:
            if line.strip() == "READY":
                break
            host, p1, p2 = line.split()
            listeners.append((host, int(p1), int(p2)))
        one_port = [
            ProbeTarget(code=f"B{i}", host=h, onvif_port=p1, rtsp_port=p1)
            for i, (h, p1, _) in enumerate(listeners)
        ]
        two_port = [
            ProbeTarget(code=f"B{i}", host=h, onvif_port=p1, rtsp_port=p2)
            for i, (h, p1, p2) in enumerate(listeners)
        ]
        bb = await _blackbox([(h, p1) for h, p1, _ in listeners], args.rounds, args.concurrency)
        ours1 = await _ours(one_port, args.rounds)
        ours2 = await _ours(two_port, args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=5)

    rows = [
        (f"{bb[4]} (/probe, tcp_connect)", 1, *bb[:4]),
        ("camwatch probes.tcp, 1 port", 1, *ours1),
        ("camwatch probes.tcp, ONVIF+RTSP ports", 2, *ours2),
    ]
    print(
        f"targets: {args.targets} loopback listeners, rounds: {args.rounds}, "
        f"blackbox driver concurrency: {args.concurrency}, CPUs: {os.cpu_count()}"
    )
    print()
    print("| prober | connects/probe | probes | failed | CPU s | wall s | probes per CPU-second |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, per, n, cpu, wall, failed in rows:
        print(f"| {name} | {per} | {n} | {failed} | {cpu:.2f} | {wall:.2f} | {n / cpu:,.0f} |")
    ratio = (ours1[0] / ours1[1]) / (bb[0] / bb[1])
    print()
    print(
        f"camwatch (1 port) / blackbox_exporter probes per CPU-second: {ratio:.1f}x (target >= 2x)"
    )


def main() -> None:
    """Parse arguments and run the benchmark (or the listener process with --serve)."""
    p = argparse.ArgumentParser(prog="bench.tcp_rate")
    p.add_argument("--targets", type=int, default=200)
    p.add_argument("--rounds", type=int, default=25)
    p.add_argument("--concurrency", type=int, default=4, help="blackbox /probe requests in flight")
    p.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        _serve(args.serve)
        return
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
