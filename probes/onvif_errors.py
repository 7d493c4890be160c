"""The errors an ONVIF camera can cause, named once, and their translation to fault codes."""

from __future__ import annotations

import aiohttp
import zeep.exceptions
from lxml.etree import XMLSyntaxError
from onvif.exceptions import ONVIFError

from probes.errors import ProbeFailure
from probes.faults import FaultCode

# What a camera (or something pretending to be one) can make the ONVIF client raise:
# - aiohttp.ClientError: refused/unreachable connection, reset, server closed mid-answer,
#   malformed HTTP (ClientConnectorError, ServerDisconnectedError, ClientPayloadError...);
# - TimeoutError: aiohttp's own ClientTimeout and our asyncio.timeout around each exchange;
# - zeep Fault: a SOAP fault (refused credentials included); zeep TransportError: an HTTP
#   error status or a body that is not XML; XMLParseError/ValidationError/LookupError:
#   XML that does not match the WSDL;
# - lxml XMLSyntaxError: garbage that the XML parser rejects before zeep wraps it;
# - ONVIFError: the library's wrapper (unsupported service, failed request build);
# - OSError: socket errors aiohttp does not wrap;
# - AttributeError/TypeError/ValueError/KeyError/IndexError: a reply that parsed but lacks the
#   fields every camera should send (None where a structure belongs), found when we read it;
# - ProbeFailure: our own guards (an address outside the allowed networks, a redirect, an
#   answer over the byte cap), already named with a fault and a reason.
ONVIF_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    ProbeFailure,
    aiohttp.ClientError,
    TimeoutError,
    zeep.exceptions.Error,
    XMLSyntaxError,
    ONVIFError,
    OSError,
    AttributeError,
    TypeError,
    ValueError,
    KeyError,
    IndexError,
)

_AUTH_MARKERS = (
    "notauthorized",
    "not authorized",
    "unauthorized",
    "authority failure",
    "authentication",
    "sender not authorized",
    "failedauthentication",
)


def is_auth_refusal(exc: BaseException) -> bool:
    """True when the camera answered but refused the credentials (HTTP 401 or an auth fault)."""
    if isinstance(exc, zeep.exceptions.TransportError) and exc.status_code in (401, 403):
        return True
    if isinstance(exc, aiohttp.ClientResponseError) and exc.status in (401, 403):
        return True
    if isinstance(exc, zeep.exceptions.Fault):
        parts = [str(exc.message or ""), str(exc.code or "")]
        parts += [str(s) for s in (exc.subcodes or [])]
        text = " ".join(parts).lower()
        return any(marker in text for marker in _AUTH_MARKERS)
    return False


def _root_cause(exc: BaseException) -> BaseException:
    seen = 0
    while exc.__cause__ is not None and seen < 5:
        exc, seen = exc.__cause__, seen + 1
    return exc


def classify(exc: BaseException, *, timeout_seconds: float | None = None) -> tuple[FaultCode, str]:
    """Translate an expected exception into a fault code and a short reason (no secrets)."""
    root = _root_cause(exc)
    for seen in (exc, root):
        if isinstance(seen, ProbeFailure):
            return seen.fault, seen.reason
    if is_auth_refusal(exc) or is_auth_refusal(root):
        return FaultCode.AUTH_FAILED, "the camera refused the stored credentials"
    if isinstance(root, aiohttp.ConnectionTimeoutError):
        return FaultCode.OFFLINE, "ONVIF port does not answer a TCP connection"
    if isinstance(exc, TimeoutError) or isinstance(root, TimeoutError):
        waited = f" within {timeout_seconds:.1f} s" if timeout_seconds is not None else ""
        return FaultCode.ONVIF_ERROR, f"no complete ONVIF answer{waited}"
    if isinstance(root, aiohttp.ClientConnectorError | ConnectionRefusedError) or (
        isinstance(root, OSError)
        and not isinstance(root, aiohttp.ClientError)
        and root.errno is not None
    ):
        return FaultCode.OFFLINE, f"ONVIF port does not accept connections ({_short(root)})"
    if isinstance(root, zeep.exceptions.Fault):
        return FaultCode.ONVIF_ERROR, f"SOAP fault: {_short(root.message or root.code)}"
    if isinstance(root, zeep.exceptions.TransportError):
        status = f"HTTP {root.status_code}" if root.status_code else "transport error"
        return FaultCode.ONVIF_ERROR, f"{status} without a valid SOAP answer"
    if isinstance(root, aiohttp.ClientError):
        return FaultCode.ONVIF_ERROR, f"HTTP exchange failed ({type(root).__name__})"
    return FaultCode.ONVIF_ERROR, f"malformed ONVIF answer ({type(root).__name__}: {_short(root)})"


def _short(value: object, limit: int = 160) -> str:
    # Library messages can embed a whole response body (zeep puts the content in the message).
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
