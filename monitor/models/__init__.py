"""Every table of camwatch, importable from one place (Alembic reads Base.metadata)."""

from monitor.models.accounts import ApiToken, Role, TokenKind, User
from monitor.models.audit import AuditEntry
from monitor.models.base import Base, utcnow
from monitor.models.incidents import (
    Incident,
    IncidentKind,
    Notification,
    NotificationState,
    Ticket,
    TicketEvent,
    TicketState,
)
from monitor.models.monitoring import (
    CameraStatus,
    HealthState,
    HourlyRollup,
    ProbeRecord,
    ProbeSchedule,
    ReferenceView,
    StateChange,
)
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
    "CameraStatus",
    "Crew",
    "HealthState",
    "Host",
    "HostKind",
    "HourlyRollup",
    "Incident",
    "IncidentKind",
    "MaintenanceWindow",
    "Notification",
    "NotificationState",
    "ProbeRecord",
    "ProbeSchedule",
    "ReferenceView",
    "Role",
    "StateChange",
    "Ticket",
    "TicketEvent",
    "TicketState",
    "TokenKind",
    "User",
    "crew_districts",
    "utcnow",
]
