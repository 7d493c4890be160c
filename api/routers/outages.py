"""Outage list and its exports (JSON API behind the outage page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import CurrentActor, SessionDep
from api.files import attachment
from monitor.core.i18n import normalize_lang
from monitor.reports.exports import export_outages
from monitor.reports.outages import OutageFilter, list_outages
from monitor.reports.schemas import OutagePage

router = APIRouter(prefix="/api/v1/outages", tags=["outages"])


def outage_filter(
    cluster: Annotated[str | None, Query(description="cluster (cụm) code")] = None,
    commune: Annotated[str | None, Query(description="commune/ward/special zone code")] = None,
    area: Annotated[str | None, Query(description="any area code (a village…)")] = None,
    start: Annotated[
        str | None, Query(description="ISO date or time; without an offset it is Vietnam time")
    ] = None,
    end: Annotated[
        str | None, Query(description="ISO date or time; without an offset it is Vietnam time")
    ] = None,
    fault: str | None = None,
    state: Annotated[str | None, Query(description="open or closed")] = None,
    camera: str | None = None,
) -> OutageFilter:
    """The outage filter from query parameters (empty values mean no filter)."""
    return OutageFilter.from_query(
        {
            "cluster": cluster,
            "commune": commune,
            "area": area,
            "start": start,
            "end": end,
            "fault": fault,
            "state": state,
            "camera": camera,
        }
    )


FilterDep = Annotated[OutageFilter, Depends(outage_filter)]


@router.get("")
def outages(
    session: SessionDep,
    actor: CurrentActor,
    flt: FilterDep,
    sort: str = "start",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> OutagePage:
    """Camera and group outages the user may see (crews, commune police: theirs), newest first."""
    rows, total = list_outages(
        session, actor, flt, sort=sort, descending=order == "desc", limit=limit, offset=offset
    )
    return OutagePage(items=rows, total=total, limit=limit, offset=offset)


@router.get("/export")
def export(
    session: SessionDep,
    actor: CurrentActor,
    flt: FilterDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx|pdf)$")] = "csv",
    lang: str = "vi",
    sort: str = "start",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> Response:
    """The filtered outage list as CSV, XLSX or PDF, with the filters written on it."""
    result = export_outages(
        session,
        actor,
        flt,
        format,
        lang=normalize_lang(lang),
        sort=sort,
        descending=order == "desc",
    )
    return attachment(result)
