"""Every area by id in memory, to name a camera's commune and cluster without a query per row."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.models import Area, AreaLevel
from monitor.registry.areas import path_ids


@dataclass(slots=True)
class AreaIndex:
    """All areas by id, to name a camera's commune and cluster without a query per row."""

    by_id: dict[int, Area]

    @classmethod
    def load(cls, session: Session) -> AreaIndex:
        """Read every area once (a province has a few hundred)."""
        return cls({a.id: a for a in session.scalars(select(Area))})

    def ancestor(self, area_id: int | None, level: AreaLevel) -> Area | None:
        """The area of this level on the way up from `area_id` (itself included)."""
        area = self.by_id.get(area_id) if area_id is not None else None
        if area is None:
            return None
        found = self.in_path(area.path, level)
        return found if found is not None else (area if area.level == level else None)

    def name(self, area_id: int | None, level: AreaLevel) -> str:
        """The name of the commune/cluster an area lies in ('' when none)."""
        found = self.ancestor(area_id, level)
        return found.name if found else ""

    def in_path(self, path: str, level: AreaLevel) -> Area | None:
        """The area of this level along a stored path (an outage's path when it began)."""
        for area_id in path_ids(path):
            candidate = self.by_id.get(area_id)
            if candidate is not None and candidate.level == level:
                return candidate
        return None

    def name_in_path(self, path: str, level: AreaLevel) -> str:
        """The name the area of this level had along a stored path ('' when none)."""
        found = self.in_path(path, level)
        return found.name if found else ""
