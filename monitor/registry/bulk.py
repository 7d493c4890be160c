"""Changes to many cameras at once: enable, disable, or put them in maintenance until a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import InvalidData
from monitor.core.localtime import from_local
from monitor.registry.cameras import add_maintenance, get_camera
from monitor.registry.schemas import MaintenanceCreate

MAX_BULK = 1000


def _codes(codes: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not unique:
        raise InvalidData("no camera selected")
    if len(unique) > MAX_BULK:
        raise InvalidData(f"at most {MAX_BULK} cameras at once")
    return unique


def set_enabled(session: Session, actor: Actor, codes: Sequence[str], enabled: bool) -> int:
    """Enable or disable monitoring of these cameras (each audited); how many changed."""
    actor.require_registry_editor()
    changed = 0
    for code in _codes(codes):
        camera = get_camera(session, actor, code)
        if camera.enabled != enabled:
            camera.enabled = enabled
            audit.record(
                session, actor, "update", "camera", code, {"enabled": [not enabled, enabled]}
            )
            changed += 1
    return changed


def maintenance_until(
    session: Session,
    actor: Actor,
    codes: Sequence[str],
    until: datetime,
    reason: str = "",
    *,
    now: datetime | None = None,
) -> int:
    """A maintenance window from now until `until` for each camera; how many were scheduled."""
    actor.require_registry_editor()
    start = now or datetime.now(UTC)
    until = from_local(until)  # a time typed without a zone is Vietnam time
    if until <= start:
        raise InvalidData("a maintenance window must end after it starts")
    window = MaintenanceCreate(starts_at=start, ends_at=until, reason=reason)
    selected = _codes(codes)
    for code in selected:
        add_maintenance(session, actor, code, window)
    return len(selected)
