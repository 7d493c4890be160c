"""Camera search and filters: text that ignores diacritics and case, area, state, vendor, tag.

The text is looked for in the code, name, address, vendor, model and area names (commune, village).

`cho` finds "Chợ", `tran phu` finds "Trần Phú": both sides are folded (accents dropped, đ → d,
lower case) before comparing. The text columns of the cameras in scope are read once per search
and compared in Python: SQLite and PostgreSQL have no common accent-folding function, and a few
thousand short rows fold in milliseconds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from monitor.core.access import Actor
from monitor.core.models import Area, Camera, CameraStatus, HealthState, Host, as_utc
from monitor.registry.areas import get_area

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """Text without diacritics, in lower case, with single spaces: 'Trần  Phú' -> 'tran phu'."""
    if not text:
        return ""
    plain = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def matches(query: str, *fields: str | None) -> bool:
    """True when every word of the query occurs in one of the fields (folded)."""
    words = fold(query).split()
    haystack = " | ".join(fold(f) for f in fields if f)
    return all(word in haystack for word in words)


@dataclass(frozen=True, slots=True)
class CameraQuery:
    """What a camera list is filtered by (every field optional)."""

    q: str = ""
    area_code: str = ""
    state: HealthState | None = None
    vendor: str = ""
    tag: str = ""
    enabled: bool | None = None


def state_condition(state: HealthState):
    """SQL condition on an outer-joined CameraStatus: a camera never probed counts as unknown."""
    if state == HealthState.UNKNOWN:
        return or_(CameraStatus.state.is_(None), CameraStatus.state == HealthState.UNKNOWN)
    return CameraStatus.state == state


def _filtered_ids(session: Session, actor: Actor, query: CameraQuery) -> Select:
    stmt = (
        select(
            Camera.id,
            Camera.code,
            Camera.name,
            Camera.address,
            Camera.vendor,
            Camera.model,
            Camera.tags,
            Area.path,
        )
        .join(Camera.area)
        .outerjoin(CameraStatus, CameraStatus.camera_id == Camera.id)
        .where(actor.area_filter(Area.path))
    )
    if query.area_code:
        stmt = stmt.where(Area.path.like(f"{get_area(session, query.area_code).path}%"))
    if query.state is not None:
        stmt = stmt.where(state_condition(query.state))
    if query.vendor:
        stmt = stmt.where(Camera.vendor == query.vendor)
    if query.enabled is not None:
        stmt = stmt.where(Camera.enabled == query.enabled)
    return stmt.order_by(Camera.code)


def search_cameras(
    session: Session, actor: Actor, query: CameraQuery, *, limit: int = 100, offset: int = 0
) -> tuple[list[Camera], int]:
    """One page of cameras in the actor's scope matching the query, by code, and the total."""
    rows = session.execute(_filtered_ids(session, actor, query)).all()
    if query.q or query.tag:
        # Fold each area name once, and each camera's text fields in one call.
        places = {row.id: fold(row.name) for row in session.execute(select(Area.id, Area.name))}
        words = fold(query.q).split()
        tag = fold(query.tag)
        kept = []
        for row in rows:
            if tag and tag not in {fold(t) for t in row.tags or ()}:
                continue
            if words:
                text = " | ".join(
                    f for f in (row.code, row.name, row.address, row.vendor, row.model) if f
                )
                areas = " | ".join(
                    places.get(int(i), "") for i in row.path.strip("/").split("/") if i
                )
                haystack = f"{fold(text)} | {areas}"
                if not all(word in haystack for word in words):
                    continue
            kept.append(row)
        rows = kept
    ids = [row.id for row in rows[offset : offset + limit]]
    if not ids:
        return [], len(rows)
    cameras = session.scalars(
        select(Camera)
        .options(joinedload(Camera.area), joinedload(Camera.host).joinedload(Host.area))
        .where(Camera.id.in_(ids))
        .order_by(Camera.code)
    ).all()
    return list(cameras), len(rows)


def vendors(session: Session, actor: Actor) -> list[str]:
    """The camera vendors in the actor's scope, for a filter's drop-down."""
    stmt = (
        select(Camera.vendor)
        .join(Camera.area)
        .where(actor.area_filter(Area.path), Camera.vendor != "")
        .distinct()
        .order_by(Camera.vendor)
    )
    return list(session.scalars(stmt))


def tags(session: Session, actor: Actor) -> list[str]:
    """Every tag used by a camera in the actor's scope, sorted."""
    stmt = select(Camera.tags).join(Camera.area).where(actor.area_filter(Area.path))
    found: set[str] = set()
    for row in session.scalars(stmt):
        found.update(t for t in row or () if t)
    return sorted(found, key=fold)


@dataclass(frozen=True, slots=True)
class StateInfo:
    """A camera's current state without its pictures."""

    state: HealthState
    since: datetime | None
    faults: list[str]


def statuses(session: Session, camera_ids: Sequence[int]) -> dict[int, StateInfo]:
    """The current state of these cameras (missing: never probed); pictures are not read."""
    if not camera_ids:
        return {}
    stmt = select(
        CameraStatus.camera_id, CameraStatus.state, CameraStatus.since, CameraStatus.faults
    ).where(CameraStatus.camera_id.in_(camera_ids))
    return {
        row.camera_id: StateInfo(row.state, as_utc(row.since), list(row.faults or ()))
        for row in session.execute(stmt)
    }
