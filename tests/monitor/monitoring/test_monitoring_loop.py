"""The real scheduler and runner watching a simulated fleet: outages, tickets, repair, flapping."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from monitor.core.access import Actor
from monitor.core.models import (
    Camera,
    CameraStatus,
    HealthState,
    Incident,
    IncidentKind,
    ProbeRecord,
    ReferenceView,
    Role,
    StateChange,
    Ticket,
    TicketState,
    utcnow,
)
from monitor.monitoring import schedule
from monitor.monitoring.scheduler import MonitorService
from monitor.notifiers.webhook import SIGNATURE_HEADER, verify
from monitor.outages import tickets
from tests.monitor.conftest import MonitoredFleet, wait_until


def _state(env: MonitoredFleet, code: str) -> HealthState | None:
    with env.db.session() as s:
        status = s.scalar(
            select(CameraStatus)
            .join(Camera, Camera.id == CameraStatus.camera_id)
            .where(Camera.code == code)
        )
        return status.state if status else None


def _tickets(env: MonitoredFleet) -> list[Ticket]:
    with env.db.session() as s:
        return list(s.scalars(select(Ticket).order_by(Ticket.id)))


def _group_members(env: MonitoredFleet) -> int:
    """How many camera incidents belong to a group incident."""
    return _count(env, Incident, Incident.group_id.is_not(None))


def _count(env: MonitoredFleet, model: type, *where: object) -> int:
    with env.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_outage_ticket_webhook_repair_and_verification(make_monitored_fleet) -> None:
    env = make_monitored_fleet(4)
    code = env.cameras[1].code
    service = MonitorService(env.db, env.settings)
    service.start()
    try:
        await wait_until(
            lambda: all(_state(env, c.code) == HealthState.UP for c in env.cameras),
            what="every camera up",
        )
        # Judged from real snapshots: a reference view learned, a good thumbnail kept.
        await wait_until(
            lambda: _count(env, ReferenceView) == len(env.cameras), what="reference views learned"
        )
        with env.db.session() as s:
            status = s.scalar(select(CameraStatus).join(Camera).where(Camera.code == code))
            assert status.last_good_jpeg[:2] == b"\xff\xd8"
        env.set_faults(code, offline=True)
        await wait_until(lambda: _state(env, code) == HealthState.DOWN, what="camera down")
        [ticket] = await wait_until(lambda: _tickets(env), what="a ticket")
        assert ticket.crew_id == env.crew_id and ticket.state == TicketState.ASSIGNED
        assert ticket.fault == "offline"

        def delivered() -> list:
            return [r for r in env.hook.requests if json.loads(r.body)["ticket"]["id"] == ticket.id]

        message = await wait_until(delivered, what="webhook delivery")
        body = message[0].body
        assert verify(
            env.settings.resolved_webhook_secret, body, message[0].headers[SIGNATURE_HEADER]
        )
        payload = json.loads(body)
        assert payload["camera"]["code"] == code
        assert env.cameras[1].password not in body.decode()
        with env.db.session() as s:
            incident = s.scalar(select(Incident).where(Incident.kind == IncidentKind.CAMERA))
            assert incident.ended_at is None and "offline" in incident.faults
            change = s.scalar(select(StateChange).where(StateChange.to_state == HealthState.DOWN))
            assert change.camera_id == incident.camera_id and "offline" in change.faults

        env.set_faults(code, offline=False)
        crew = Actor(
            user_id=None,
            username="tho-sua",
            role=Role.CREW,
            crew_id=env.crew_id,
            area_ids=frozenset(),
        )
        with env.db.session() as s:
            tickets.change_state(
                s, crew, ticket.id, TicketState.FIXED, "thay nguồn", settings=env.settings
            )
        closed = await wait_until(
            lambda: [t for t in _tickets(env) if t.state == TicketState.CLOSED], what="verified"
        )
        assert closed[0].id == ticket.id
        assert _state(env, code) == HealthState.UP
        with env.db.session() as s:
            events = [e.to_state for e in s.get(Ticket, ticket.id).events if e.to_state]
            incident = s.scalar(select(Incident).where(Incident.kind == IncidentKind.CAMERA))
            assert incident.ended_at is not None and incident.ended_at > incident.started_at
        assert events[-3:] == ["fixed", "verified", "closed"]
        assert _count(env, Ticket) == 1
    finally:
        await service.stop()


async def test_flapping_camera_raises_one_ticket(make_monitored_fleet) -> None:
    env = make_monitored_fleet(3)
    code = env.cameras[0].code
    service = MonitorService(env.db, env.settings)
    service.start()
    try:
        await wait_until(lambda: _state(env, code) == HealthState.UP, what="camera up")
        for _ in range(4):
            env.set_faults(code, offline=True)
            await wait_until(lambda: _state(env, code) == HealthState.DOWN, what="down")
            env.set_faults(code, offline=False)
            await wait_until(lambda: _state(env, code) == HealthState.UP, what="up again")
        with env.db.session() as s:
            status = s.scalar(select(CameraStatus).join(Camera).where(Camera.code == code))
            assert status.flapping
        with env.db.session() as s:
            camera_id = s.scalar(select(Camera.id).where(Camera.code == code))
        assert _count(env, Incident, Incident.camera_id == camera_id) == 1
        assert len([t for t in _tickets(env) if t.camera_id == camera_id]) == 1
    finally:
        await service.stop()


async def test_cameras_behind_one_device_make_one_grouped_incident(make_monitored_fleet) -> None:
    env = make_monitored_fleet(10, upstream="SW-CHO-01")
    # As in the field, a ticket waits a little longer than grouping needs to see the pattern.
    env.settings = env.settings.model_copy(update={"ticket_after_down_seconds": 4})
    service = MonitorService(env.db, env.settings)
    service.start()
    try:
        await wait_until(
            lambda: all(_state(env, c.code) == HealthState.UP for c in env.cameras),
            what="every camera up",
        )
        for cam in env.cameras:
            env.set_faults(cam.code, offline=True)
        await wait_until(
            lambda: all(_state(env, c.code) == HealthState.DOWN for c in env.cameras),
            what="all down",
        )
        # The group ticket opens once the first cameras have been down long enough; a camera
        # that falls later joins the group at the next sweep, so wait for that sweep too.
        await wait_until(lambda: _tickets(env), what="the group ticket")
        await wait_until(lambda: _group_members(env) == 10, what="all ten in the group")
        await service.stop()
        with env.db.session() as s:
            group = s.scalars(select(Incident).where(Incident.kind == IncidentKind.GROUP)).all()
            assert len(group) == 1 and group[0].group_key == "upstream:SW-CHO-01"
            [ticket] = s.scalars(select(Ticket)).all()
            assert ticket.incident_id == group[0].id and ticket.camera_id is None
            assert ticket.priority == 1
    finally:
        await service.stop()


async def test_camera_in_maintenance_is_probed_but_raises_nothing(make_monitored_fleet) -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.core.models import MaintenanceWindow, ProbeRecord

    env = make_monitored_fleet(2)
    code = env.cameras[0].code
    with env.db.session() as s:
        camera = s.scalar(select(Camera).where(Camera.code == code))
        now = datetime.now(UTC)
        s.add(
            MaintenanceWindow(
                camera_id=camera.id,
                starts_at=now - timedelta(minutes=1),
                ends_at=now + timedelta(hours=1),
                reason="thay camera",
            )
        )
        camera_id = camera.id
    env.set_faults(code, offline=True)
    service = MonitorService(env.db, env.settings)
    service.start()
    try:
        await wait_until(lambda: _state(env, code) == HealthState.MAINTENANCE, what="maintenance")
        await wait_until(
            lambda: _count(env, ProbeRecord, ProbeRecord.camera_id == camera_id) > 6,
            what="probes during maintenance",
        )
        assert _count(env, Incident) == 0 and _tickets(env) == []
    finally:
        await service.stop()


async def test_a_scheduler_taking_over_probes_at_once_what_a_crashed_one_held(
    make_monitored_fleet,
) -> None:
    env = make_monitored_fleet(3)
    # Every probe of the fleet leased by a scheduler that then crashed (leases last minutes).
    with env.db.writing(), env.db.session() as s:
        schedule.sync_schedule(s, env.settings, utcnow())
        held = schedule.lease_due(s, utcnow() + timedelta(days=1), limit=100)
    wanted = {(job.camera_id, job.kind) for job in held}
    assert len(wanted) == 3 * 3  # TCP, ONVIF and snapshot of each camera
    since = utcnow()

    def probed_since() -> set[tuple[int, str]]:
        with env.db.session() as s:
            return set(
                s.execute(
                    select(ProbeRecord.camera_id, ProbeRecord.kind).where(ProbeRecord.at > since)
                ).all()
            )

    service = MonitorService(env.db, env.settings)
    service.start()
    try:
        await wait_until(lambda: wanted <= probed_since(), what="every held probe run")
    finally:
        await service.stop()
