"""The guard that keeps camwatch from being used to probe arbitrary hosts."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from monitor.core.errors import InvalidData

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def resolve_addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The IP addresses `host` stands for (itself when it is an address literal)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidData(f"host {host!r} cannot be resolved") from exc
    return sorted({ipaddress.ip_address(info[4][0]) for info in infos}, key=str)


def check_probe_host(host: str, networks: Sequence[Network]) -> None:
    """Raise InvalidData unless every address of `host` lies in an allowed probe network."""
    for addr in resolve_addresses(host):
        if not any(addr in net for net in networks):
            raise InvalidData(
                f"address {addr} of {host!r} is outside the allowed probe networks "
                f"({', '.join(str(n) for n in networks)})"
            )


def check_probe_url(url: str | None, networks: Sequence[Network]) -> None:
    """Apply check_probe_host to the host of an RTSP/HTTP URL."""
    if url:
        host = urlsplit(url).hostname
        if not host:
            raise InvalidData("URL has no host")
        check_probe_host(host, networks)
