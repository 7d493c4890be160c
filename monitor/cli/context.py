"""What every CLI command needs: settings, the database, and the acting operator."""

from __future__ import annotations

from functools import cache

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.settings import Settings, get_settings


@cache
def settings() -> Settings:
    """Settings from the environment (read once per command)."""
    return get_settings()


@cache
def database() -> Database:
    """The configured database."""
    return Database.from_settings(settings())


def operator() -> Actor:
    """The person at the terminal: an administrator acting through the CLI."""
    import getpass

    return Actor.system(f"cli:{getpass.getuser()}")
