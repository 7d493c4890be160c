"""Incidents and tickets driven by transitions, without cameras: the edges of the lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.models import (
    Camera,
    CameraStatus,
    HealthState,
    Incident,
    IncidentKind,
    Role,
    Ticket,
    TicketState,
)
from monitor.core.settings import Settings
from monitor.monitoring.runner import new_status
from monitor.outages import incidents, tickets
from monitor.outages.evaluator import Transition
from monitor.registry.cameras import CameraRules
from tests.registry_data import seed_registry

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
DOWN, UP = HealthState.DOWN, HealthState.UP


def _setup(database: Database, settings: Settings) -> tuple[Settings, dict[str, int]]:
    seed_registry(database, CameraRules.from_settings(settings))
    with database.session() as s:
        ids = dict(s.execute(select(Camera.code, Camera.id)).all())
        for camera_id in ids.values():
            s.add(new_status(camera_id))
        for code in ("ST-0001", "ST-0002"):
            s.get(Camera, ids[code]).upstream_device = "SW-1"
    fast = settings.model_copy(
        update={
            "ticket_after_down_seconds": 0,
            "group_min_members": 2,
            "incident_reopen_seconds": 900,
        }
    )
    return fast, ids


def _move(database: Database, settings: Settings, camera_id: int, before, after, at) -> None:
    with database.session() as s:
        camera = s.get(Camera, camera_id)
        status = s.get(CameraStatus, camera_id)
        status.state = after
        incidents.record_transition(
            s, camera, Transition(before, after, at, ("offline",)), settings
        )


def _maintain(database: Database, settings: Settings, at: datetime) -> None:
    with database.session() as s:
        incidents.maintain(s, settings, at)


def test_repair_marked_after_recovery_is_still_verified(database, settings) -> None:
    settings, ids = _setup(database, settings)
    cam = ids["BS-0001"]
    _move(database, settings, cam, UP, DOWN, T0)
    _maintain(database, settings, T0 + timedelta(minutes=1))
    _move(database, settings, cam, DOWN, UP, T0 + timedelta(minutes=30))
    with database.session() as s:
        ticket = s.scalar(select(Ticket))
        admin = Actor.system("tech")
        tickets.change_state(
            s, admin, ticket.id, TicketState.FIXED, "đã thay nguồn", settings=settings
        )
    _maintain(database, settings, T0 + timedelta(minutes=31))
    with database.session() as s:
        assert s.scalar(select(Ticket)).state == TicketState.CLOSED


def test_disabling_a_camera_ends_its_outage(database, settings) -> None:
    settings, ids = _setup(database, settings)
    _move(database, settings, ids["BS-0001"], UP, DOWN, T0)
    with database.session() as s:
        s.get(Camera, ids["BS-0001"]).enabled = False
    _maintain(database, settings, T0 + timedelta(hours=1))
    with database.session() as s:
        incident = s.scalar(select(Incident))
        assert incident.ended_at is not None and "disabled" in incident.reason


def test_failing_again_after_the_group_ended_gets_its_own_ticket(database, settings) -> None:
    settings, ids = _setup(database, settings)
    first, second = ids["ST-0001"], ids["ST-0002"]
    _move(database, settings, first, UP, DOWN, T0)
    _move(database, settings, second, UP, DOWN, T0 + timedelta(seconds=20))
    _maintain(database, settings, T0 + timedelta(minutes=1))
    with database.session() as s:
        group = s.scalar(select(Incident).where(Incident.kind == IncidentKind.GROUP))
        assert group is not None
    _move(database, settings, first, DOWN, UP, T0 + timedelta(minutes=20))
    _move(database, settings, second, DOWN, UP, T0 + timedelta(minutes=20))
    _maintain(database, settings, T0 + timedelta(minutes=21))
    _move(database, settings, first, UP, DOWN, T0 + timedelta(minutes=25))
    _maintain(database, settings, T0 + timedelta(minutes=26))
    with database.session() as s:
        mine = s.scalar(select(Incident).where(Incident.camera_id == first))
        assert mine.ended_at is None and mine.group_id is None
        assert s.scalar(select(Ticket).where(Ticket.incident_id == mine.id)) is not None


def test_a_crew_cannot_verify_or_close_by_hand(database, settings) -> None:
    settings, ids = _setup(database, settings)
    _move(database, settings, ids["ST-0001"], UP, DOWN, T0)
    _maintain(database, settings, T0 + timedelta(minutes=1))
    with database.session() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.camera_id == ids["ST-0001"]))
        crew = Actor(
            user_id=None,
            username="tho",
            role=Role.CREW,
            crew_id=ticket.crew_id,
            area_ids=frozenset(),
        )
        for target in (TicketState.VERIFIED, TicketState.CLOSED):
            try:
                tickets.change_state(s, crew, ticket.id, target, settings=settings)
            except Exception as exc:
                assert "may not" in str(exc)
            else:
                raise AssertionError(f"crew set {target}")


def test_most_of_a_commune_down_together_is_one_group(database, settings) -> None:
    settings, ids = _setup(database, settings)
    with database.session() as s:  # no shared upstream device: only the commune links them
        for code in ("ST-0001", "ST-0002"):
            s.get(Camera, ids[code]).upstream_device = ""
    _move(database, settings, ids["ST-0001"], UP, DOWN, T0)
    _move(database, settings, ids["ST-0002"], UP, DOWN, T0 + timedelta(seconds=30))
    _maintain(database, settings, T0 + timedelta(minutes=1))
    with database.session() as s:
        [group] = s.scalars(select(Incident).where(Incident.kind == IncidentKind.GROUP)).all()
        assert group.group_key == "commune:ST-TP"
        members = s.scalars(select(Incident).where(Incident.group_id == group.id)).all()
        assert {m.camera_id for m in members} == {ids["ST-0001"], ids["ST-0002"]}
        assert [t.incident_id for t in s.scalars(select(Ticket))] == [group.id]


def test_no_ticket_for_a_camera_inside_its_maintenance_window(database, settings) -> None:
    from monitor.registry.cameras import add_maintenance
    from monitor.registry.schemas import MaintenanceCreate

    settings, ids = _setup(database, settings)
    settings = settings.model_copy(update={"ticket_after_down_seconds": 900})
    cam = ids["BS-0001"]
    _move(database, settings, cam, UP, DOWN, T0)  # failing before the crew announced its work
    _maintain(database, settings, T0 + timedelta(minutes=1))
    with database.session() as s:  # the window is set through the registry, as the API does
        window = MaintenanceCreate(
            starts_at=T0 + timedelta(minutes=5), ends_at=T0 + timedelta(hours=2)
        )
        add_maintenance(s, Actor.system("tech"), "BS-0001", window)
    _maintain(database, settings, T0 + timedelta(minutes=20))  # due, but inside the window
    with database.session() as s:
        assert s.scalar(select(Ticket)) is None
    _move(database, settings, cam, DOWN, HealthState.MAINTENANCE, T0 + timedelta(minutes=21))
    _maintain(database, settings, T0 + timedelta(minutes=40))
    with database.session() as s:
        assert s.scalar(select(Ticket)) is None
        assert s.scalar(select(Incident)).ended_at is not None  # the outage ends at the window
    # Still failing after the window: a new outage, and its ticket when it is due.
    _move(database, settings, cam, HealthState.MAINTENANCE, DOWN, T0 + timedelta(hours=2))
    _maintain(database, settings, T0 + timedelta(hours=2, minutes=16))
    with database.session() as s:
        assert s.scalar(select(Ticket)) is not None


def test_most_of_a_village_down_together_is_one_group(database, settings) -> None:
    settings, ids = _setup(database, settings)
    rules = CameraRules.from_settings(settings)
    system = Actor.system("test")
    with database.session() as s:
        from monitor.registry.cameras import create_camera
        from monitor.registry.schemas import CameraCreate

        places = [("ST-0004", "ST-TP-1"), ("ST-0005", "ST-TP-1")]
        places += [(f"ST-000{n}", "ST-TP") for n in (6, 7, 8)]
        for code, area in places:
            camera = create_camera(
                s,
                system,
                CameraCreate(code=code, name=code, area_code=area, onvif_host="127.0.0.1"),
                rules,
            )
            s.flush()
            s.add(new_status(camera.id))
            ids[code] = camera.id
        for code in ("ST-0001", "ST-0002"):
            s.get(Camera, ids[code]).upstream_device = ""
    # Two of the village's three cameras fall (a local power cut); the commune's seven mostly work.
    _move(database, settings, ids["ST-0001"], UP, DOWN, T0)
    _move(database, settings, ids["ST-0004"], UP, DOWN, T0 + timedelta(seconds=40))
    _maintain(database, settings, T0 + timedelta(minutes=1))
    with database.session() as s:
        [group] = s.scalars(select(Incident).where(Incident.kind == IncidentKind.GROUP)).all()
        assert group.group_key == "village:ST-TP-1"
        members = s.scalars(select(Incident).where(Incident.group_id == group.id)).all()
        assert {m.camera_id for m in members} == {ids["ST-0001"], ids["ST-0004"]}
        assert group.area_path.endswith(f"/{s.get(Camera, ids['ST-0001']).area_id}/")
