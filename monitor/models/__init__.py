"""Every table of camwatch, importable from one place (Alembic reads Base.metadata)."""

from monitor.models.accounts import ApiToken, Role, TokenKind, User
from monitor.models.audit import AuditEntry
from monitor.models.base import Base, utcnow
from monitor.models.registry import (
    AREA_PARENT_LEVEL,
    Area,
    AreaLevel,
    Camera,
    Crew,
    Host,
    HostKind,
    MaintenanceWindow,
    crew_districts,
)

__all__ = [
    "AREA_PARENT_LEVEL",
    "ApiToken",
    "Area",
    "AreaLevel",
    "AuditEntry",
    "Base",
    "Camera",
    "Crew",
    "Host",
    "HostKind",
    "MaintenanceWindow",
    "Role",
    "TokenKind",
    "User",
    "crew_districts",
    "utcnow",
]
