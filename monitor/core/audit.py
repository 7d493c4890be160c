"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.core.models import AuditEntry
from monitor.core.paging import clamp_offset

# Fields whose values never enter the audit log; a change to them is recorded as "changed".
SECRET_FIELDS = frozenset({"password", "password_encrypted", "password_hash", "token_hash"})
REDACTED = "***"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Field -> [old, new] for every field that changed; secrets redacted."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        before, after = _plain(old.get(key)), _plain(new.get(key))
        if before != after:
            if key in SECRET_FIELDS:
                changes[key] = [REDACTED if before else None, REDACTED if after else None]
            else:
                changes[key] = [before, after]
    return changes


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str = "",
    entity_id: str | int = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log (in the caller's transaction)."""
    entry = AuditEntry(
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        changes=changes or {},
        remote_addr=actor.remote_addr,
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    username: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Audit entries, newest first, with the total count for paging."""

    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if username:
        stmt = stmt.where(AuditEntry.username == username)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(clamp_offset(offset))
    ).all()
    return list(rows), total
