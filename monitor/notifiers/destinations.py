"""Where webhooks may go: https hosts outside the camera networks, or hosts on the allow-list.

A crew's webhook URL is typed by a technician and may embed a token. Without a rule it could
point camwatch at an internal service (a camera's admin page, a metadata endpoint): the signed
POST would leave from inside the camera network. Checked when a URL is saved and again, after
resolving the name, before each delivery (a name may resolve elsewhere later).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from monitor.core.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(ValueError):
    """A webhook URL outside the allowed destinations."""


def _ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _allow_listed(host: str, addresses: list[IPAddress], allowed: list[str]) -> bool:
    for entry in allowed:
        entry = entry.strip().lower()
        if entry == host:
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if addresses and all(address in network for address in addresses):
            return True
    return False


def _internal(address: IPAddress, settings: Settings) -> bool:
    return (
        any(address in network for network in settings.probe_networks)
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationRefused("the webhook host does not resolve") from exc
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def check_webhook_url(url: str, settings: Settings, *, resolve: bool = False) -> None:
    """DestinationRefused unless camwatch may post to `url` (names resolved when `resolve`)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise DestinationRefused("a webhook URL must be an http(s) URL with a host")
    literal = _ip(host)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DestinationRefused("the webhook URL has an invalid port") from exc
    addresses = [literal] if literal else (_resolve(host, port) if resolve else [])
    if _allow_listed(host, addresses, settings.webhook_allowed_hosts):
        return
    if parts.scheme != "https":
        raise DestinationRefused(
            "a webhook URL must use https (or its host be in CAMWATCH_WEBHOOK_ALLOWED_HOSTS)"
        )
    if any(_internal(address, settings) for address in addresses):
        raise DestinationRefused(
            "a webhook URL must not point into the camera or internal networks "
            "(unless its host is in CAMWATCH_WEBHOOK_ALLOWED_HOSTS)"
        )
