"""A camera's last good and last faulty pictures (JPEG), for pages, tickets and e-mails."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentActor, SessionDep
from monitor.monitoring.pictures import stored_thumbnail
from monitor.registry.cameras import get_camera

router = APIRouter(prefix="/api/v1/cameras/{code}/thumbnails", tags=["cameras"])
JPEG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/jpeg": {}}}}


def _jpeg(data: bytes) -> Response:
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=60"})


def _thumbnail(
    session: SessionDep, actor: CurrentActor, code: str, which: Literal["last_good", "last_fault"]
) -> Response:
    camera = get_camera(session, actor, code)
    return _jpeg(stored_thumbnail(session, camera, which))


@router.get("/last_good.jpg", response_class=Response, responses=JPEG)
def last_good(code: str, session: SessionDep, actor: CurrentActor) -> Response:
    """The last good picture of a camera the user may see (404 when there is none yet)."""
    return _thumbnail(session, actor, code, "last_good")


@router.get("/last_fault.jpg", response_class=Response, responses=JPEG)
def last_fault(code: str, session: SessionDep, actor: CurrentActor) -> Response:
    """The last faulty picture of a camera the user may see (404 when there is none yet)."""
    return _thumbnail(session, actor, code, "last_fault")
