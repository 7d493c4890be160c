"""Helpers shared by the reports: area names by level, UTC times, interval arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.core.access import with_predecessors
from monitor.core.errors import InvalidData
from monitor.core.localtime import from_local
from monitor.core.models import Area, AreaLevel, as_utc


def parse_time(text: str | None, *, field: str) -> datetime | None:
    """An ISO date or date-time from a form or query (naive: Vietnam time); None when empty."""
    if text is None or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidData(
            f"{field}: not a date or time (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from exc
    if not 1900 <= value.year <= 2200:
        raise InvalidData(f"{field}: the year must be between 1900 and 2200")
    return from_local(value)


def area_scope(session: Session, code: str, level: AreaLevel | None = None) -> list[int]:
    """Ids of the area of this code and of the units merged into it (InvalidData if unknown)."""
    area = area_by_code(session, code, level)
    return sorted(with_predecessors(session, {area.id}))


def path_condition(path_column, ids: list[int]):
    """SQL condition: a path column passes through one of these area ids."""
    return or_(*(path_column.like(f"%/{i}/%") for i in ids))


def area_by_code(session: Session, code: str, level: AreaLevel | None = None) -> Area:
    """The area with this code (of this level, if given); InvalidData when unknown."""
    area = session.scalar(select(Area).where(Area.code == code))
    if area is None or (level is not None and area.level != level):
        raise InvalidData(f"unknown {level.value if level else 'area'} {code!r}")
    return area


def covered_seconds(
    intervals: Iterable[tuple[datetime, datetime | None]], start: datetime, end: datetime
) -> float:
    """Seconds of [start, end) covered by the union of intervals (an open end runs to `end`)."""
    clipped = []
    for begin, finish in intervals:
        lo = max(as_utc(begin), start)
        hi = min(as_utc(finish) or end, end)
        if hi > lo:
            clipped.append((lo, hi))
    clipped.sort()
    total = 0.0
    current_lo: datetime | None = None
    current_hi: datetime | None = None
    for lo, hi in clipped:
        if current_hi is None or lo > current_hi:
            if current_lo is not None and current_hi is not None:
                total += (current_hi - current_lo).total_seconds()
            current_lo, current_hi = lo, hi
        elif hi > current_hi:
            current_hi = hi
    if current_lo is not None and current_hi is not None:
        total += (current_hi - current_lo).total_seconds()
    return total


def availability_share(monitored_seconds: float, unavailable_seconds: float) -> float | None:
    """camwatch's one definition of availability (docs/availability.md), None when not monitored.

    The share of the monitored time in which the camera delivered usable footage: time inside
    an outage of either kind (down, or degraded by a picture/clock fault) is unavailable; time
    inside a maintenance window is not an outage. Reports, coverage look-ups and movement-model
    reviews all use this.
    """
    if monitored_seconds <= 0:
        return None
    return max(0.0, 1.0 - unavailable_seconds / monitored_seconds)
