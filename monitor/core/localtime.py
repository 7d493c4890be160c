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


def zone_label(value: datetime | None = None) -> str:
    """The display zone as people read it beside a time: 'UTC+07:00' (at `value`, or now)."""
    moment = to_local(value) if value is not None else datetime.now(display_zone())
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def format_local_zoned(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time in the display zone with the zone named: '2026-11-30 21:05 UTC+07:00'."""
    return "" if value is None else f"{format_local(value, fmt)} {zone_label(value)}"
