"""The demo of `make run`: a simulated fleet on loopback, registered with areas, crews and users."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.models import Area, Camera, Crew, Role, User
from monitor.core.settings import Settings
from monitor.registry import crews, users
from monitor.registry.area_import import import_areas
from monitor.registry.cameras import CameraRules
from monitor.registry.importer import import_cameras
from monitor.registry.schemas import CrewCreate, UserCreate
from monitor.registry.sheets import Table
from monitor.simulator.fleet import SimulatedFleet
from monitor.simulator.spec import DEMO_AREAS, INVENTORY_HEADERS, build_fleet, inventory_rows

logger = logging.getLogger(__name__)

# username, role, police areas (a commune police post) — the crew user joins the first crew.
DEMO_USERS: tuple[tuple[str, Role, tuple[str, ...]], ...] = (
    ("admin", Role.ADMIN, ()),
    ("kythuat", Role.TECHNICIAN, ()),
    ("congan", Role.POLICE, ()),  # provincial police: the whole province
    ("ca.camthanh", Role.POLICE, ("QNG-CAMTHANH",)),
    ("ca.tinhkhe", Role.POLICE, ("QNG-TINHKHE",)),
    ("tosuachua", Role.CREW, ()),
)
# One crew per cluster, and one for a single ward (it wins over its cluster's crew there).
DEMO_CREWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    *((f"Tổ sửa chữa {a.name}", (a.code,)) for a in DEMO_AREAS if a.level == "cluster"),
    ("Tổ sửa chữa phường Cẩm Thành", ("QNG-CAMTHANH",)),
)
AREA_HEADER = ["code", "name", "level", "kind", "parent_code"]


def demo_area_table() -> Table:
    """The demo province as the area import reads it (96 commune-level units and villages)."""
    return Table(
        header=list(AREA_HEADER),
        rows=[
            (n, [a.code, a.name, a.level, a.kind, a.parent_code or ""])
            for n, a in enumerate(DEMO_AREAS, start=2)
        ],
    )


def register_areas(db: Database) -> None:
    """Create the demo's province, clusters, communes and villages (once), by the area import."""
    with db.session() as session:
        known = set(session.scalars(select(Area.code)))
        if all(a.code in known for a in DEMO_AREAS):
            return
        import_areas(session, Actor.system("demo"), demo_area_table())


def register_crews(db: Database) -> dict[str, int]:
    """The demo's repair crews (once); their ids by name."""
    actor = Actor.system("demo")
    ids: dict[str, int] = {}
    with db.session() as session:
        for name, codes in DEMO_CREWS:
            crew = session.scalar(select(Crew).where(Crew.name == name))
            if crew is None:
                crew = crews.create_crew(
                    session, actor, CrewCreate(name=name, area_codes=list(codes))
                )
            ids[name] = crew.id
    return ids


def register_cameras(db: Database, settings: Settings, fleet_cameras: list) -> int:
    """Import the fleet's inventory like an installer's spreadsheet (idempotent)."""
    rows = inventory_rows(fleet_cameras)
    for row, cam in zip(rows, fleet_cameras, strict=True):
        if not cam.rtsp:
            row["rtsp_url"] = ""  # only the RTSP subset streams; the rest are judged by snapshot
    header = list(INVENTORY_HEADERS)
    table = Table(
        header=header,
        rows=[
            (number, ["" if row[h] is None else str(row[h]) for h in header])
            for number, row in enumerate(rows, start=2)
        ],
    )
    with db.session() as session:
        summary = import_cameras(
            session, Actor.system("demo"), table, CameraRules.from_settings(settings)
        )
    return summary.created


def register_users(db: Database, settings: Settings, crew_ids: dict[str, int]) -> Path | None:
    """Create the demo users once, with random passwords written to data_dir (mode 600)."""
    with db.session() as session:
        if session.scalar(select(User.id).limit(1)) is not None:
            return None
        lines = []
        for username, role, area_codes in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            crew_id = next(iter(crew_ids.values())) if role == Role.CREW else None
            users.create_user(
                session,
                Actor.system("demo"),
                UserCreate(
                    username=username,
                    role=role,
                    crew_id=crew_id,
                    area_codes=list(area_codes),
                    password=SecretStr(password),
                ),
            )
            lines.append(f"{username:<12} {role.value:<11} {password} {','.join(area_codes)}")
    path = settings.data_dir / "demo-users.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("username     role        password areas\n" + "\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def start_demo(db: Database, settings: Settings, *, count: int = 60) -> SimulatedFleet:
    """Start the simulated fleet in a background thread and register everything it needs."""
    cameras = build_fleet(count, seed=7, base_address="127.20.0.1", onvif_port=8000)
    fleet = SimulatedFleet(cameras).start_in_thread()
    register_areas(db)
    crew_ids = register_crews(db)
    with db.session() as session:
        existing = session.scalar(select(Camera.id).where(Camera.code == cameras[0].code))
    if existing is None:
        logger.info(
            "demo: registered %d simulated cameras", register_cameras(db, settings, cameras)
        )
    credentials = register_users(db, settings, crew_ids)
    if credentials is not None:
        logger.warning("demo users and passwords written to %s", credentials)
    return fleet
