"""Keep probes inside the allowed networks: resolve once, check, connect to that address.

A camera is an untrusted device: every address it announces (ONVIF service addresses, stream and
snapshot URIs, redirects) and every address its hostname resolves to at probe time (DNS
rebinding) is checked here before a single byte is sent to it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from probes.errors import ProbeFailure
from probes.faults import FaultCode

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

URL_SCHEMES = {"rtsp": frozenset({"rtsp"}), "snapshot": frozenset({"http", "https"})}


class OutsideNetworks(ProbeFailure):
    """An address a camera gave us (or its name resolved to) lies outside the allowed networks."""


class AnswerTooLarge(ProbeFailure):
    """A camera's answer exceeded the byte cap for its kind."""


def parse_networks(networks: Sequence[str | Network]) -> tuple[Network, ...]:
    """Parse network texts ("127.21.0.0/16") into network objects."""
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def allowed(address: Address, networks: Sequence[Network]) -> bool:
    """True when no networks are configured (no restriction) or `address` lies in one."""
    return not networks or any(address in net for net in networks)


async def resolve_checked(
    host: str, networks: Sequence[Network], *, fault: FaultCode = FaultCode.OFFLINE
) -> str:
    """Resolve `host` now, check every address, return the one to connect to.

    Raises OutsideNetworks (with `fault`) when any address lies outside the networks, and
    ProbeFailure(offline) when the name does not resolve.
    """
    bare = host.strip("[]")
    try:
        addresses: list[Address] = [ipaddress.ip_address(bare)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(bare, None, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise ProbeFailure(
                FaultCode.OFFLINE, f"camera host name does not resolve ({exc})"
            ) from None
        addresses = sorted({ipaddress.ip_address(info[4][0]) for info in infos}, key=str)
        if not addresses:
            raise ProbeFailure(FaultCode.OFFLINE, "camera host name does not resolve") from None
    for address in addresses:
        if not allowed(address, networks):
            raise OutsideNetworks(
                fault, f"address {address} of {host!r} is outside the allowed probe networks"
            )
    return str(addresses[0])


async def pin_url(
    url: str, networks: Sequence[Network], *, schemes: frozenset[str], fault: FaultCode
) -> tuple[str, str]:
    """Check an announced URL (scheme, host) and return it with its host pinned to an address.

    Returns (pinned URL, original host name); the userinfo is kept.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in schemes:
        raise OutsideNetworks(fault, f"URL scheme {parts.scheme!r} is not allowed here")
    host = parts.hostname
    if not host:
        raise OutsideNetworks(fault, "URL has no host")
    address = await resolve_checked(host, networks, fault=fault)
    return urlunsplit(parts._replace(netloc=replace_host(parts.netloc, address))), host


def replace_host(netloc: str, address: str) -> str:
    """`netloc` with its host replaced by `address` (userinfo and port kept)."""
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        port = hostport.partition("]")[2]
    else:
        port = ":" + hostport.rpartition(":")[2] if ":" in hostport else ""
    shown = f"[{address}]" if ":" in address else address
    return f"{userinfo}{at}{shown}{port}"


def url_allowed(url: str, networks: Sequence[Network], *, schemes: frozenset[str]) -> bool:
    """Cheap check of an announced URL without resolving names: scheme, and a literal address
    inside the networks (a name is accepted here and checked when probed)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() not in schemes or not host:
        return False
    try:
        return allowed(ipaddress.ip_address(host), networks)
    except ValueError:
        return True
