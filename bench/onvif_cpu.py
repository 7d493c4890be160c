"""CPU per camera of the ONVIF check: camwatch's probe vs the original onvif-zeep 0.2.12.

Run: ``.venv/bin/python -m bench.onvif_cpu [--cameras 50] [--peers 2]``

Both clients make the same calls against the same real ipycam cameras in the same run:
GetSystemDateAndTime, GetDeviceInformation, service discovery (GetCapabilities/GetServices),
GetProfiles, GetStreamUri, GetSnapshotUri. Each side runs in its own warm process (imports done,
one throw-away camera first) and is measured with ``time.process_time`` around each camera:

- "new client per camera": a fresh client object per camera (what onvif-zeep needs for every
  camera it talks to; camwatch builds its reused device once per camera);
- "re-probe, client reused": the steady state of a monitor probing the same cameras again.

The cameras run in their own processes; their CPU (from /proc) is reported separately.

onvif-zeep and onvif-zeep-async both install a top-level ``onvif`` module, so onvif-zeep is never
installed in the venv: this script extracts its wheel (``--legacy-wheel``, else the pip cache,
else ``pip download onvif-zeep==0.2.12`` + ``pip wheel``) into a temporary directory and runs
the legacy side in a subprocess with that directory first on ``sys.path`` (its WSDL files moved
next to the package, where its ``ONVIFCamera`` looks for them). zeep/requests come from the venv.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LEGACY_VERSION = "0.2.12"


# ---------------------------------------------------------------------------------------------
# Legacy side (runs in a subprocess where `onvif` is onvif-zeep 0.2.12)


def _legacy_worker(spec: dict) -> dict:
    """Time onvif-zeep: a new ONVIFCamera per camera, then re-probes with clients reused."""
    from onvif import ONVIFCamera  # onvif-zeep 0.2.12 here

    media_services: dict[int, object] = {}

    def calls(cam: ONVIFCamera) -> str:
        cam.devicemgmt.GetSystemDateAndTime()
        info = cam.devicemgmt.GetDeviceInformation()
        # Kept per camera: onvif-zeep parses the media WSDL again on every create_media_service.
        media = media_services.get(id(cam)) or media_services.setdefault(
            id(cam), cam.create_media_service()
        )
        token = media.GetProfiles()[0].token
        setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
        media.GetStreamUri({"StreamSetup": setup, "ProfileToken": token})
        media.GetSnapshotUri({"ProfileToken": token})
        return str(info.SerialNumber)

    cams = spec["cameras"]
    user, password = spec["username"], spec["password"]
    warm = ONVIFCamera(cams[0][0], cams[0][1], user, password)
    calls(warm)
    new_client, clients = [], []
    for i in range(spec["count"]):
        host, port = cams[i % len(cams)]
        c0 = time.process_time()
        cam = ONVIFCamera(host, port, user, password)
        calls(cam)
        new_client.append(time.process_time() - c0)
        clients.append(cam)
    reuse = []
    for cam in clients:
        c0 = time.process_time()
        calls(cam)
        reuse.append(time.process_time() - c0)
    return {"new_client": new_client, "reuse": reuse}


# ---------------------------------------------------------------------------------------------
# camwatch side


async def _camwatch_side(spec: dict) -> dict:
    """Time camwatch's probe: first probe of each camera, then re-probes with devices reused."""
    from probes import onvif
    from probes.result import Deadline, ProbeConfig, ProbeTarget

    cfg = ProbeConfig()
    cams = spec["cameras"]

    def target(i: int) -> ProbeTarget:
        host, port = cams[i % len(cams)]
        return ProbeTarget(
            code=f"BENCH-{i}",
            host=host,
            onvif_port=port,
            username=spec["username"],
            password=spec["password"],
        )

    warm = await onvif.probe(target(-1), cfg, deadline=Deadline(10))
    if not warm.ok:
        raise SystemExit(f"camwatch probe failed: {warm.reason}")
    await onvif.forget(target(-1))
    new_client, reuse = [], []
    for i in range(spec["count"]):
        c0 = time.process_time()
        result = await onvif.probe(target(i), cfg, deadline=Deadline(10))
        new_client.append(time.process_time() - c0)
        assert result.ok, result.reason
    # As many rounds as it takes to include one full media refresh per camera (the steady
    # state re-reads profiles and URIs every MEDIA_REFRESH_PROBES probes).
    for _round in range(onvif.MEDIA_REFRESH_PROBES):
        for i in range(spec["count"]):
            c0 = time.process_time()
            result = await onvif.probe(target(i), cfg, deadline=Deadline(10))
            reuse.append(time.process_time() - c0)
            assert result.ok, result.reason
    await onvif.close_all()
    return {"new_client": new_client, "reuse": reuse}


# ---------------------------------------------------------------------------------------------
# Orchestration


def _find_or_fetch_wheel(explicit: str | None, workdir: Path) -> Path:
    if explicit:
        return Path(explicit)
    cache = Path.home() / ".cache" / "pip" / "wheels"
    found = glob.glob(str(cache / "**" / f"onvif_zeep-{LEGACY_VERSION}-*.whl"), recursive=True)
    if found:
        return Path(found[0])
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "download", "--no-deps", "-d", str(workdir), f"onvif-zeep=={LEGACY_VERSION}"],
        check=True,
    )
    subprocess.run(
        [
            *pip,
            "wheel",
            "--no-deps",
            "-w",
            str(workdir),
            f"onvif-zeep=={LEGACY_VERSION}",
            "--find-links",
            str(workdir),
        ],
        check=True,
    )
    return next(workdir.glob(f"onvif_zeep-{LEGACY_VERSION}-*.whl"))


def _extract_legacy(wheel: Path, target: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    # The wheel installs its WSDL as data files; ONVIFCamera looks beside the package.
    wsdl = next(target.glob("onvif_zeep-*.data/data/lib/python*/site-packages/wsdl"))
    shutil.move(str(wsdl), target / "wsdl")
    return target


def _run_legacy(spec: dict, legacy_dir: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(legacy_dir), str(REPO_ROOT)])
    proc = subprocess.run(
        [sys.executable, "-m", "bench.onvif_cpu", "--legacy-worker"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"legacy worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_camwatch(spec: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.onvif_cpu", "--camwatch-worker"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"camwatch worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _process_tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user+system) used so far by these processes and their children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime are fields 14-17 (1-based) of /proc/pid/stat.
        total += sum(int(v) for v in fields[11:15]) / tick
    return total


def _ms(values: list[float]) -> str:
    return f"{statistics.mean(values) * 1000:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Start cameras, measure both clients, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=50, help="camera clients per side")
    parser.add_argument("--peers", type=int, default=2, help="ipycam processes serving them")
    parser.add_argument("--legacy-wheel", help="path to onvif_zeep-0.2.12 wheel")
    parser.add_argument("--legacy-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--camwatch-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.legacy_worker:
        print(json.dumps(_legacy_worker(json.loads(sys.stdin.read()))))
        return 0
    if args.camwatch_worker:
        print(json.dumps(asyncio.run(_camwatch_side(json.loads(sys.stdin.read())))))
        return 0

    from tests.peers.ipycam_peer import IpycamPeer

    with tempfile.TemporaryDirectory(prefix="onvif-zeep-") as tmp:
        legacy_dir = _extract_legacy(
            _find_or_fetch_wheel(args.legacy_wheel, Path(tmp)), Path(tmp) / "legacy"
        )
        # Tiny, slow picture: the camera's own frame loop should not drown its ONVIF work.
        peers = [IpycamPeer(width=160, height=90, fps=1).start() for _ in range(args.peers)]
        try:
            spec = {
                "cameras": [[p.host, p.onvif_port] for p in peers],
                "count": args.cameras,
                "username": peers[0].username,
                "password": peers[0].password,
            }
            pids = [p.process.pid for p in peers if p.process is not None]
            idle0, t0 = _process_tree_cpu(pids), time.monotonic()
            time.sleep(2.0)
            idle_rate = (_process_tree_cpu(pids) - idle0) / (time.monotonic() - t0)
            rows = {}
            for name, runner in (
                ("onvif-zeep 0.2.12", lambda: _run_legacy(spec, legacy_dir)),
                ("camwatch probes.onvif", lambda: _run_camwatch(spec)),
            ):
                cpu0, w0 = _process_tree_cpu(pids), time.monotonic()
                data = runner()
                cam_cpu = _process_tree_cpu(pids) - cpu0 - idle_rate * (time.monotonic() - w0)
                rows[name] = (data, max(0.0, cam_cpu) / (2 * args.cameras))
        finally:
            for p in peers:
                p.stop()

    legacy, ours = rows["onvif-zeep 0.2.12"][0], rows["camwatch probes.onvif"][0]
    print(
        f"{args.cameras} camera clients over {args.peers} ipycam processes, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print()
    print(
        "| client | new client per camera, CPU ms | re-probe, client reused, CPU ms "
        "| camera-side CPU ms per check |"
    )
    print("|---|---:|---:|---:|")
    for name, (data, cam) in rows.items():
        print(f"| {name} | {_ms(data['new_client'])} | {_ms(data['reuse'])} | {cam * 1000:.2f} |")
    ratio_new = statistics.mean(ours["new_client"]) / statistics.mean(legacy["new_client"])
    ratio_reuse = statistics.mean(ours["reuse"]) / statistics.mean(legacy["reuse"])
    ratio_monitor = statistics.mean(ours["reuse"]) / statistics.mean(legacy["new_client"])
    print(f"| camwatch / onvif-zeep | 1/{1 / ratio_new:.1f} | 1/{1 / ratio_reuse:.1f} | |")
    print()
    print(
        f"Steady-state monitor check (camwatch re-probe vs onvif-zeep per camera): "
        f"1/{1 / ratio_monitor:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
