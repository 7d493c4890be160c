"""Public (API) shapes of the outage list, the coverage look-up and the availability report."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from monitor.core.paging import Page
from monitor.reports.availability import AvailabilityReport, CrewRepairs
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


class PeriodPublic(BaseModel):
    """A report period: [start, end) and its label ('2026-10' or '2026-Q3')."""

    model_config = ConfigDict(from_attributes=True)
    start: datetime
    end: datetime
    label: str


class CameraAvailabilityPublic(BaseModel):
    """One camera over the period; availability is the share of its camera-time without outage."""

    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    commune: str
    cluster: str
    village: str
    monitored_seconds: float
    unavailable_seconds: float
    outages: int
    longest_outage_seconds: float
    availability: float | None


class AreaAvailabilityPublic(BaseModel):
    """A village, commune or cluster: its cameras' time added up."""

    model_config = ConfigDict(from_attributes=True)
    name: str
    cluster: str
    cameras: int
    monitored_seconds: float
    unavailable_seconds: float
    outages: int
    availability: float | None


class AvailabilityReportPublic(BaseModel):
    """Availability, outages and repair times over a month or quarter."""

    model_config = ConfigDict(from_attributes=True)
    period: PeriodPublic
    area: str | None
    clusters: list[AreaAvailabilityPublic]
    communes: list[AreaAvailabilityPublic]
    villages: list[AreaAvailabilityPublic]
    cameras: list[CameraAvailabilityPublic]
    worst: list[CameraAvailabilityPublic]
    crews: list[CrewRepairs]

    @classmethod
    def of(cls, report: AvailabilityReport) -> AvailabilityReportPublic:
        """The public view of a computed report."""
        return cls.model_validate(report, from_attributes=True)
