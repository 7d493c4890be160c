"""The map of probe kinds to their probe functions (one module per kind)."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from probes.result import Deadline, ProbeConfig, ProbeResult, ProbeTarget

Prober = Callable[..., Awaitable[ProbeResult]]

# Kind name -> module that defines `async def probe(target, cfg, *, deadline) -> ProbeResult`.
PROBE_MODULES: dict[str, str] = {
    "tcp": "probes.tcp",
    "onvif": "probes.onvif",
    "rtsp": "probes.rtsp",
    "snapshot": "probes.snapshot",
}

PROBE_KINDS: tuple[str, ...] = tuple(PROBE_MODULES)


def get_prober(kind: str) -> Prober:
    """Return the probe function for `kind`; ValueError for an unknown kind."""
    try:
        module_name = PROBE_MODULES[kind]
    except KeyError:
        raise ValueError(f"unknown probe kind {kind!r}; known: {', '.join(PROBE_KINDS)}") from None
    return importlib.import_module(module_name).probe


async def run_probe(
    kind: str, target: ProbeTarget, cfg: ProbeConfig, *, timeout: float
) -> ProbeResult:
    """Run one probe of `kind` with a fresh deadline of `timeout` seconds."""
    return await get_prober(kind)(target, cfg, deadline=Deadline(timeout))
