"""Public (API) shapes of the outage list, the coverage look-up and the availability report."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from monitor.core.paging import Page
from monitor.reports.coverage import CameraCoverage, CoverageAnswer
from monitor.reports.outages import OutageRow

OutagePage = Page[OutageRow]


class CoveragePublic(BaseModel):
    """The cameras within the radius of a place, nearest first, and how they fared."""

    latitude: float
    longitude: float
    radius_m: float
    start: datetime
    end: datetime
    range_seconds: float
    cameras: list[CameraCoverage]

    @classmethod
    def of(cls, answer: CoverageAnswer) -> CoveragePublic:
        """The public view of a look-up's answer."""
        return cls(
            latitude=answer.latitude,
            longitude=answer.longitude,
            radius_m=answer.radius_m,
            start=answer.start,
            end=answer.end,
            range_seconds=answer.range_seconds,
            cameras=answer.cameras,
        )
