"""The movement report's query parameters, read alike by the API and the page downloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.movement.report import MovementReport, build_report


class MovementReportQuery:
    """What a movement report is made for: an area (none: the province), a year, a day."""

    def __init__(
        self,
        area: str | None = Query(
            default=None, description="cluster, commune (or any area) code; none: all"
        ),
        year: int | None = Query(default=None, ge=2000, le=2100),
        as_of: date | None = None,
        overdue_months: int = Query(default=12, ge=1, le=120),
        health_days: int = Query(default=30, ge=1, le=366),
        lang: Literal["vi", "en"] = "vi",
    ) -> None:
        self.area = area
        self.year = year
        self.as_of = as_of
        self.overdue_months = overdue_months
        self.health_days = health_days
        self.lang = lang

    def build(self, session: Session, actor: Actor) -> MovementReport:
        """The report, as `actor` may see it."""
        return build_report(
            session,
            actor,
            area_code=self.area,
            year=self.year,
            as_of=self.as_of,
            overdue_months=self.overdue_months,
            health_days=self.health_days,
            lang=self.lang,
        )


MovementReportParams = Annotated[MovementReportQuery, Depends()]
