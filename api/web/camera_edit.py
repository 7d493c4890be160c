"""The camera registry edit page (admins and technicians; other roles get the 403 page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import EDITORS, RulesDep, SessionDep
from api.web.auth import page_roles
from api.web.templating import render
from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.registry.cameras import get_camera, update_camera
from monitor.registry.schemas import CameraUpdate

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/cameras/{code}/edit")
def edit_page(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> HTMLResponse:
    """The form with the camera's place and monitoring fields (never its password)."""
    camera = get_camera(session, actor, code)
    return render(request, "camera_edit.html", {"camera": camera, "error": ""}, actor=actor)


@router.post("/cameras/{code}/edit", response_model=None)
def edit_submit(
    code: str,
    request: Request,
    session: SessionDep,
    rules: RulesDep,
    name: Annotated[str, Form(max_length=200)],
    address: Annotated[str, Form(max_length=400)],
    latitude: Annotated[str, Form()] = "",
    longitude: Annotated[str, Form()] = "",
    importance: Annotated[int, Form(ge=1, le=5)] = 3,
    enabled: Annotated[str, Form()] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Save the changes through the registry (audited), or show the form with the problem."""
    try:
        data = CameraUpdate(
            name=name,
            address=address,
            latitude=float(latitude) if latitude else None,
            longitude=float(longitude) if longitude else None,
            importance=importance,
            enabled=bool(enabled),
        )
        update_camera(session, actor, code, data, rules)
    except (ValueError, ValidationError, InvalidData) as exc:
        session.rollback()
        camera = get_camera(session, actor, code)
        return render(
            request,
            "camera_edit.html",
            {"camera": camera, "error": str(exc)},
            actor=actor,
            status_code=422,
        )
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/cameras/{code}", status_code=303)
