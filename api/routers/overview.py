"""The fleet overview of the caller's areas (what the home page shows), as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CurrentActor, SessionDep
from monitor.reports.overview import build_overview

router = APIRouter(prefix="/api/v1/overview", tags=["overview"])


@router.get("")
def overview(session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    """Enabled cameras by state, open incidents and tickets, worst areas, last-hour changes."""
    return build_overview(session, actor).as_dict()
