"""Exception hierarchy of the probes package; library errors are translated at the boundary."""

from __future__ import annotations

from probes.faults import FaultCode


class ProbeError(Exception):
    """Base of every error a probe module raises internally before turning it into a result."""


class ProbeTimeout(ProbeError):
    """The camera did not answer before the deadline."""


class ProbeAuthError(ProbeError):
    """The camera answered but refused the credentials."""


class ProbeProtocolError(ProbeError):
    """The camera answered with something that is not the protocol it should speak."""


class ProbeFailure(ProbeError):
    """A failure already named with its fault code; the probe boundary turns it into a result."""

    def __init__(self, fault: FaultCode, reason: str) -> None:
        super().__init__(reason)
        self.fault = fault
        self.reason = reason


def scrub(text: str, *secrets: str | None) -> str:
    """Replace every secret (password, credentialed URL) in a library's message by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
