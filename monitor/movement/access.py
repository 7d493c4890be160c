"""Who may read and change the movement-models registry.

Admins and technicians edit; police (who sit on the steering committees) read; repair crews have no
access: the registry is the committees' business, not a repair job.
"""

from __future__ import annotations

from monitor.core.access import Actor
from monitor.core.errors import PermissionDenied
from monitor.core.models import Role

READERS = frozenset({Role.ADMIN, Role.TECHNICIAN, Role.POLICE})


def may_read(actor: Actor) -> bool:
    """True when the actor may see the movement-models registry."""
    return actor.role in READERS


def require_reader(actor: Actor) -> None:
    """Raise PermissionDenied unless the actor may read the registry of models."""
    if not may_read(actor):
        raise PermissionDenied("repair crews have no access to the movement-models registry")


def require_editor(actor: Actor) -> None:
    """Raise PermissionDenied unless the actor may change model instances and reviews."""
    actor.require_registry_editor()


def require_type_admin(actor: Actor) -> None:
    """Raise PermissionDenied unless the actor may add or change model types."""
    actor.require_admin()
