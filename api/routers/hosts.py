"""Hosts of cameras."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import CurrentActor, EditorActor, SessionDep
from api.presenters import host_public
from monitor.core.paging import Page
from monitor.registry import hosts
from monitor.registry.schemas import HostCreate, HostPublic, HostUpdate

router = APIRouter(prefix="/api/v1/hosts", tags=["hosts"])


@router.get("")
def list_hosts(
    session: SessionDep,
    actor: CurrentActor,
    area: str | None = Query(default=None, description="area code: hosts in its subtree"),
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> Page[HostPublic]:
    """Hosts in your scope."""
    rows, total = hosts.list_hosts(session, actor, area_code=area, q=q, limit=limit, offset=offset)
    items = [host_public(h, actor) for h in rows]
    return Page[HostPublic](items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201)
def create_host(body: HostCreate, session: SessionDep, actor: EditorActor) -> HostPublic:
    """Register a host."""
    return host_public(hosts.create_host(session, actor, body), actor)


@router.get("/{host_id}")
def get_host(host_id: int, session: SessionDep, actor: CurrentActor) -> HostPublic:
    """One host."""
    return host_public(hosts.get_host(session, actor, host_id), actor)


@router.patch("/{host_id}")
def update_host(
    host_id: int, body: HostUpdate, session: SessionDep, actor: EditorActor
) -> HostPublic:
    """Change a host."""
    return host_public(hosts.update_host(session, actor, host_id, body), actor)


@router.delete("/{host_id}", status_code=204)
def delete_host(host_id: int, session: SessionDep, actor: EditorActor) -> None:
    """Delete a host without cameras."""
    hosts.delete_host(session, actor, host_id)
