"""Times as the people who read the pages and exports see them: Vietnam time by default."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from monitor.core.models.base import as_utc
from monitor.core.settings import get_settings


@cache
def display_zone() -> ZoneInfo:
    """The time zone of pages, exports and form inputs (CAMWATCH_TIMEZONE)."""
    return ZoneInfo(get_settings().timezone)


def to_local(value: datetime) -> datetime:
    """A stored time (UTC; naive from SQLite) in the display zone."""
    return as_utc(value).astimezone(display_zone())


def from_local(value: datetime) -> datetime:
    """A time typed by a person (naive: display zone) as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=display_zone())
    return value.astimezone(UTC)


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time formatted in the display zone ('' for none)."""
    return "" if value is None else to_local(value).strftime(fmt)
