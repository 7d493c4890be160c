"""Loopback addresses for the hostile-device tests: an allowed network and a forbidden one.

Allowed probe network 127.21.0.0/16 (the cameras), forbidden listeners on 127.30.x.y: nothing
else in the suite uses these two /16s. The middle byte follows the process id so parallel test
runs on one machine do not share an address.
"""

from __future__ import annotations

import itertools
import os

from probes.netguard import parse_networks

ALLOWED = parse_networks(["127.21.0.0/16"])
_counter = itertools.count(1)


def camera_address() -> str:
    """A fresh address inside the allowed network."""
    return f"127.21.{os.getpid() % 250 + 1}.{next(_counter) % 250 + 1}"


def forbidden_address() -> str:
    """A fresh address outside the allowed network."""
    return f"127.30.{os.getpid() % 250 + 1}.{next(_counter) % 250 + 1}"
