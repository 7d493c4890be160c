"""Exception hierarchy of the probes package; library errors are translated at the boundary."""


class ProbeError(Exception):
    """Base of every error a probe module raises internally before turning it into a result."""


class ProbeTimeout(ProbeError):
    """The camera did not answer before the deadline."""


class ProbeAuthError(ProbeError):
    """The camera answered but refused the credentials."""


class ProbeProtocolError(ProbeError):
    """The camera answered with something that is not the protocol it should speak."""
