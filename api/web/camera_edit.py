"""The camera registry edit page (admins and technicians; other roles get the 403 page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import EDITORS, RulesDep, SessionDep
from api.web.auth import page_roles
from api.web.forms import FormErrors
from api.web.templating import render, request_lang
from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.models import Camera
from monitor.registry.cameras import get_camera, update_camera
from monitor.registry.schemas import CameraUpdate

router = APIRouter(tags=["web"], include_in_schema=False)


def _form_of(camera: Camera) -> dict[str, Any]:
    def coordinate(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    return {
        "name": camera.name,
        "address": camera.address,
        "latitude": coordinate(camera.latitude),
        "longitude": coordinate(camera.longitude),
        "importance": str(camera.importance),
        "enabled": camera.enabled,
    }


@router.get("/cameras/{code}/edit")
def edit_page(
    code: str, request: Request, session: SessionDep, actor: Actor = page_roles(*EDITORS)
) -> HTMLResponse:
    """The form with the camera's place and monitoring fields (never its password)."""
    camera = get_camera(session, actor, code)
    context = {"camera": camera, "form": _form_of(camera), "errors": None}
    return render(request, "camera_edit.html", context, actor=actor)


@router.post("/cameras/{code}/edit", response_model=None)
def edit_submit(
    code: str,
    request: Request,
    session: SessionDep,
    rules: RulesDep,
    name: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    latitude: Annotated[str, Form()] = "",
    longitude: Annotated[str, Form()] = "",
    importance: Annotated[str, Form()] = "3",
    enabled: Annotated[str, Form()] = "",
    actor: Actor = page_roles(*EDITORS),
) -> Response:
    """Save the changes through the registry (audited), or show the form with its problems."""
    camera = get_camera(session, actor, code)
    form = {
        "name": name,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "importance": importance,
        "enabled": bool(enabled),
    }
    errors = FormErrors(request_lang(request, actor))
    lat = errors.number("latitude", latitude, low=-90, high=90)
    lon = errors.number("longitude", longitude, low=-180, high=180)
    level = errors.integer("importance", importance, low=1, high=5)
    if not errors:
        try:
            data = CameraUpdate(
                name=name,
                address=address,
                latitude=lat,
                longitude=lon,
                importance=level,
                enabled=bool(enabled),
            )
            update_camera(session, actor, code, data, rules)
        except ValidationError as exc:
            errors.from_validation(exc)
        except InvalidData as exc:
            errors.fields[""] = str(exc)
    if errors:
        session.rollback()
        camera = get_camera(session, actor, code)
        context = {"camera": camera, "form": form, "errors": errors}
        return render(request, "camera_edit.html", context, actor=actor, status_code=422)
    session.commit()  # before the redirect: the next page is read right after it
    return RedirectResponse(f"/cameras/{code}", status_code=303)
