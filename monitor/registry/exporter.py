"""Export of the camera registry to CSV and XLSX (never with passwords)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.core.models import Camera
from monitor.registry.cameras import list_cameras
from monitor.registry.columns import CAMERA_COLUMNS, headers
from monitor.registry.sheets import write_csv, write_xlsx

# The password column is never exported; an import without it keeps the stored passwords.
EXPORT_COLUMNS = tuple(c for c in CAMERA_COLUMNS if c.field != "password")


def _value(camera: Camera, field: str, actor: Actor) -> object:
    host = camera.host
    match field:
        case "area_code":
            return camera.area.code
        case "host_name":
            return host.name if host else ""
        case "host_kind":
            return host.kind.value if host else ""
        case "host_contact":
            return host.contact_name if host else ""
        case "host_phone":
            return host.contact_phone if host and actor.sees_area(host.area) else ""
        case "enabled":
            return "có" if camera.enabled else "không"
        case "tags":
            return ", ".join(camera.tags or [])
        case _:
            value = getattr(camera, field)
            return "" if value is None else value


def camera_rows(
    session: Session, actor: Actor, *, area_code: str | None = None, q: str | None = None
) -> Iterator[list[object]]:
    """Export rows of every camera in the actor's scope, in pages."""
    offset = 0
    while True:
        page, total = list_cameras(
            session, actor, area_code=area_code, q=q, limit=1000, offset=offset
        )
        for camera in page:
            yield [_value(camera, column.field, actor) for column in EXPORT_COLUMNS]
        offset += len(page)
        if not page or offset >= total:
            return


def export_cameras(
    session: Session,
    actor: Actor,
    fmt: str,
    *,
    language: str = "vi",
    area_code: str | None = None,
    q: str | None = None,
) -> bytes:
    """The camera registry as CSV or XLSX bytes, headers in the given language."""
    header = headers(EXPORT_COLUMNS, language)
    # Read before writing: a refused filter (unknown area) must fail before openpyxl has started
    # a sheet, whose half-written generators otherwise complain when collected.
    rows = list(camera_rows(session, actor, area_code=area_code, q=q))
    if fmt == "csv":
        return write_csv(header, rows)
    return write_xlsx(header, rows, "Camera" if language == "vi" else "Cameras")
