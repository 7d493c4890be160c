"""The outage list page (filters, sorting, paging, export links)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.web.auth import PageActor
from api.web.paging import Page, fetch_page, requested_page
from api.web.templating import render, request_lang
from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.models import Area, AreaLevel
from monitor.reports.exports import group_label
from monitor.reports.outages import SORTS, OutageFilter, list_outages
from probes.faults import FaultCode

router = APIRouter(tags=["web"], include_in_schema=False)
PAGE_SIZE = 50


def area_options(session: Session, actor: Actor, level: AreaLevel) -> list[Area]:
    """Areas of one level inside the actor's scope, by name, for a filter's drop-down."""
    stmt = select(Area).where(
        Area.level == level, actor.area_filter(Area.path), Area.superseded_by_id.is_(None)
    )
    return list(session.scalars(stmt.order_by(Area.name)))


@router.get("/outages")
def outages_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    sort: str = "start",
    order: str = "desc",
) -> HTMLResponse:
    """Current and past outages the user may see, filtered."""
    params = request.query_params
    error = ""
    listing = Page([], 0, 1, 1, 1)
    try:
        flt = OutageFilter.from_query(params)
        listing = fetch_page(
            lambda limit, offset: list_outages(
                session,
                actor,
                flt,
                sort=sort if sort in SORTS else "start",
                descending=order != "asc",
                limit=limit,
                offset=offset,
            ),
            requested_page(request),
            PAGE_SIZE,
        )
    except InvalidData as exc:
        error = str(exc)
    export_params = {k: v for k, v in params.items() if k not in ("page", "format") and v}
    return render(
        request,
        "outages.html",
        {
            "rows": listing.rows,
            "total": listing.total,
            "listing": listing,
            "sort": sort,
            "order": order,
            "error": error,
            "q": params,
            "clusters": area_options(session, actor, AreaLevel.CLUSTER),
            "communes": area_options(session, actor, AreaLevel.COMMUNE),
            "faults": list(FaultCode),
            "export_query": urlencode(export_params),
            "group_label": lambda key, commune: group_label(key, commune, request_lang(request)),
        },
        actor=actor,
        status_code=422 if error else 200,
    )
