"""The audit log (administrators only)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import AdminActor, SessionDep
from monitor.core import audit
from monitor.core.paging import Page
from monitor.registry.schemas import AuditPublic

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("")
def list_audit(
    session: SessionDep,
    actor: AdminActor,
    entity: str | None = None,
    entity_id: str | None = None,
    username: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[AuditPublic]:
    """Registry changes and logins, newest first."""
    rows, total = audit.list_entries(
        session, entity=entity, entity_id=entity_id, username=username, limit=limit, offset=offset
    )
    items = [AuditPublic.model_validate(r) for r in rows]
    return Page[AuditPublic](items=items, total=total, limit=limit, offset=offset)
