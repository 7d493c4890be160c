"""A camera's reference view: see it, replace it after a deliberate re-aim, or let it re-learn."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from fastapi.responses import Response

from api.deps import CurrentActor, EditorActor, SessionDep, SettingsDep
from monitor.core import audit
from monitor.core.errors import InvalidData, NotFound
from monitor.core.images import check_image_size
from monitor.core.models import ReferenceView
from monitor.monitoring import pictures
from monitor.registry.cameras import get_camera

router = APIRouter(prefix="/api/v1/cameras/{code}/reference", tags=["cameras"])


@router.get("", response_class=Response, responses={200: {"content": {"image/png": {}}}})
def get_reference(code: str, session: SessionDep, actor: CurrentActor) -> Response:
    """The reference view the camera's pictures are judged against (PNG)."""
    camera = get_camera(session, actor, code)
    view = session.get(ReferenceView, camera.id)
    if view is None:
        raise NotFound(f"camera {code!r} has no reference view yet")
    headers = {
        "X-Camwatch-Reference-Source": view.updated_by,
        "X-Camwatch-Frames-Learned": str(view.frames_learned),
    }
    return Response(view.image_png, media_type="image/png", headers=headers)


@router.put("", status_code=204)
def replace_reference(
    code: str, file: UploadFile, session: SessionDep, actor: EditorActor, settings: SettingsDep
) -> None:
    """Set the reference view from an image (JPEG/PNG) after a deliberate re-aim; no re-learning."""
    # Sync route: decoding runs in a worker thread, never on the event loop. The request guard
    # capped the body at max_image_bytes; the header's pixel count is checked before decoding.
    camera = get_camera(session, actor, code)
    data = file.file.read()
    try:
        check_image_size(data, settings.max_image_pixels)
        image = pictures.decode_image(data)
    except ValueError as exc:
        raise InvalidData(str(exc)) from exc
    pictures.set_reference(session, camera.id, image, actor.username)
    audit.record(session, actor, "reference_set", "camera", code)


@router.delete("", status_code=204)
def relearn_reference(code: str, session: SessionDep, actor: EditorActor) -> None:
    """Drop the reference view; it is learned again from the camera's next healthy pictures."""
    camera = get_camera(session, actor, code)
    pictures.forget_reference(session, camera.id)
    audit.record(session, actor, "reference_relearn", "camera", code)
