"""The map of probe kinds to their probe functions, and the probers object a runner owns."""

from __future__ import annotations

from typing import Protocol

from probes import onvif, rtsp, snapshot, tcp
from probes.result import Deadline, ProbeConfig, ProbeResult, ProbeTarget


class Prober(Protocol):
    """One probe kind: a function of a target and a deadline that never raises for a camera."""

    async def __call__(
        self, target: ProbeTarget, cfg: ProbeConfig, *, deadline: Deadline
    ) -> ProbeResult: ...


PROBERS: dict[str, Prober] = {
    "tcp": tcp.probe,
    "onvif": onvif.probe,
    "rtsp": rtsp.probe,
    "snapshot": snapshot.probe,
}

PROBE_KINDS: tuple[str, ...] = tuple(PROBERS)


def get_prober(kind: str) -> Prober:
    """Return the probe function for `kind`; ValueError for an unknown kind."""
    try:
        return PROBERS[kind]
    except KeyError:
        raise ValueError(f"unknown probe kind {kind!r}; known: {', '.join(PROBE_KINDS)}") from None


class Probers:
    """The probes a runner uses, with the per-camera state they keep (ONVIF sessions, back-off).

    Owned by one runner (or CLI command) and closed by it: `close()` ends every reused session.
    """

    def __init__(self, cfg: ProbeConfig) -> None:
        self.cfg = cfg

    async def run(self, kind: str, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        """Run one probe of `kind` with a fresh deadline of `timeout` seconds."""
        return await get_prober(kind)(target, self.cfg, deadline=Deadline(timeout))

    def note_reachable(self, target: ProbeTarget) -> None:
        """The camera answered another probe: let a paused ONVIF client ask it again at once."""
        onvif.end_backoff(target)

    async def close(self) -> None:
        """Close every session the probes keep open between calls."""
        await onvif.close_all()

    async def __aenter__(self) -> Probers:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
